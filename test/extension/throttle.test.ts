import * as assert from 'assert';
import { Throttle, Timers } from '../../src/extension/pure/throttle';

/** Timers driven by hand: `advance(ms)` runs what falls due. */
class FakeTimers implements Timers {
  private time = 0;
  private queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}

describe('extension/pure/throttle', () => {
  it('calls at most once per interval however often it is asked', () => {
    const timers = new FakeTimers();
    const calls: number[] = [];
    const throttle = new Throttle(() => calls.push(timers.now()), 250, timers);
    for (let t = 0; t < 1000; t += 10) {
      throttle.schedule();
      timers.advance(10);
    }
    timers.advance(500);
    assert.deepStrictEqual(calls, [0, 250, 500, 750, 1000]);
  });

  it('flushes a pending call at once, and does nothing when none is pending', () => {
    const timers = new FakeTimers();
    let calls = 0;
    const throttle = new Throttle(() => calls++, 250, timers);
    throttle.schedule();
    timers.advance(0);
    throttle.schedule();
    assert.ok(throttle.pending);
    throttle.flush();
    assert.strictEqual(calls, 2);
    throttle.flush();
    assert.strictEqual(calls, 2);
  });

  it('cancels, and never calls after dispose', () => {
    const timers = new FakeTimers();
    let calls = 0;
    const throttle = new Throttle(() => calls++, 100, timers);
    throttle.schedule();
    throttle.cancel();
    timers.advance(1000);
    assert.strictEqual(calls, 0);
    throttle.schedule();
    throttle.dispose();
    throttle.schedule();
    timers.advance(1000);
    assert.strictEqual(calls, 0);
  });
});
