import * as assert from 'assert';
import type { TraceEvent } from '../../src/contract/trace';
import { EventStore } from '../../src/extension/pure/eventStore';
import { eventTask } from '../../src/extension/pure/taskTree';
import { decodeEventColumns, encodeEventColumns } from '../../src/protocol/eventColumns';
import { parseFixture } from '../model/fixtures';
import { syntheticTrace } from '../webview/fixtures';

/** A store of `events` with batches of `batch` events. */
function storeOf(events: readonly TraceEvent[], batch: number): EventStore {
  const store = new EventStore(batch);
  for (const e of events) store.push(e);
  return store;
}

describe('extension/pure/eventStore', () => {
  const { events } = parseFixture('08-queue-handoff.cotrace');

  it('gives back every event as it was pushed, whether stored encoded or not', () => {
    assert.ok(events.length > 30);
    for (const batch of [1, 7, 16, events.length, events.length + 1]) {
      const store = storeOf(events, batch);
      assert.strictEqual(store.length, events.length);
      assert.strictEqual(store.stored, Math.floor(events.length / batch) * batch);
      assert.deepStrictEqual(store.slice(), events, `batch ${batch}`);
      assert.deepStrictEqual([...store], events, `batch ${batch}`);
      for (const i of [0, 1, batch - 1, batch, events.length - 1]) {
        if (i < 0 || i >= events.length) continue;
        assert.deepStrictEqual(store.at(i), events[i], `batch ${batch}, event ${i}`);
        assert.strictEqual(store.timeAt(i), events[i].t);
      }
      // Ranges across batch ends, reading batches in any order.
      assert.deepStrictEqual(store.slice(batch - 3, batch + 5), events.slice(Math.max(0, batch - 3), batch + 5));
      assert.deepStrictEqual(store.slice(events.length - 2, events.length + 9), events.slice(-2));
      assert.deepStrictEqual(store.slice(3, 40), events.slice(3, 40));
    }
  });

  it('gives back a synthetic trace of every kind of event in batches of 1,000', () => {
    const synthetic = syntheticTrace({ tasks: 50, events: 5000, seed: 3 }).events;
    const store = storeOf(synthetic, 1000);
    assert.deepStrictEqual([...store], synthetic);
    assert.deepStrictEqual(store.at(2500), synthetic[2500]);
    assert.deepStrictEqual(store.slice(990, 3010), synthetic.slice(990, 3010));
  });

  it('counts a negative index from the end and has no event out of range, as an array', () => {
    const store = storeOf(events.slice(0, 10), 4);
    assert.deepStrictEqual(store.at(-1), events[9]);
    assert.deepStrictEqual(store.at(-10), events[0]);
    assert.strictEqual(store.at(-11), undefined);
    assert.strictEqual(store.at(10), undefined);
    assert.strictEqual(new EventStore().at(0), undefined);
  });

  it('reads the batch it has just stored from the objects pushed, and older ones decoded', () => {
    const store = storeOf(events.slice(0, 30), 10);
    assert.strictEqual(store.at(25), events[25], 'the newest stored batch: the same object');
    assert.notStrictEqual(store.at(5), events[5], 'an older batch is decoded');
    assert.deepStrictEqual(store.at(5), events[5]);
    assert.strictEqual(store.at(5), store.at(5), 'a decoded batch is kept');
    assert.strictEqual(store.at(25), events[25], 'and so is the newest');
  });

  it('hands out a whole stored batch as it is, and encodes any other range', () => {
    const store = storeOf(events, 10);
    const stored = store.encoded(10, 20);
    assert.strictEqual(store.encoded(10, 20), stored, 'the same stored batch both times');
    assert.deepStrictEqual(decodeEventColumns(stored), events.slice(10, 20));
    assert.deepStrictEqual(stored, encodeEventColumns(events, 10, 20));
    for (const [from, to] of [[5, 15], [10, 19], [0, 3], [events.length - 4, events.length]]) {
      const batch = store.encoded(from, to);
      assert.deepStrictEqual(decodeEventColumns(batch), events.slice(from, to), `${from}..${to}`);
    }
    // The newest events (not yet a whole batch) are encoded each time.
    const tailFrom = Math.floor(events.length / 10) * 10;
    if (tailFrom < events.length) assert.notStrictEqual(store.encoded(tailFrom, tailFrom + 10), store.encoded(tailFrom, tailFrom + 10));
  });

  it("lists each task's events, leaving output out, as more arrive", () => {
    const store = new EventStore(16);
    const half = Math.floor(events.length / 2);
    for (const e of events.slice(0, half)) store.push(e);
    const early = store.eventsOf(1).length;
    for (const e of events.slice(half)) store.push(e);
    const ids = new Set(events.map(eventTask).filter((t): t is number => t !== null));
    assert.ok(ids.size > 2);
    for (const id of ids) {
      const expected = events.flatMap((e, i) => (e.type !== 'output' && eventTask(e) === id ? [i] : []));
      assert.deepStrictEqual(store.eventsOf(id), expected, `task ${id}`);
    }
    assert.ok(early > 0 && store.eventsOf(1).length > early);
    assert.ok(events.some((e) => e.type === 'output'));
    assert.deepStrictEqual(store.eventsOf(999), []);
  });
});
