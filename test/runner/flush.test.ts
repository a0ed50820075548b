/**
 * Nothing recorded is lost however the program ends: normal exit, a failing main task, an exception thrown from a
 * callback, an unhandled rejection, process.exit(), SIGINT and SIGTERM. Each trace must end with run.finished and
 * hold the events recorded before the end.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { TraceEvent } from '../../src/contract/trace';
import { parseTrace } from '../../src/model/traceFileReader';
import { startProgram } from '../../src/runner/runProgram';
import { ROOT, runTraced, tempDir } from '../helpers';

function last(events: TraceEvent[]): TraceEvent {
  return events[events.length - 1];
}

function printed(events: TraceEvent[]): string {
  return events
    .filter((e) => e.type === 'output' && e.stream === 'stdout')
    .map((e) => (e.type === 'output' ? e.text : ''))
    .join('');
}

function taskNames(events: TraceEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'task.created' ? [e.name] : []));
}

describe('runner: every event reaches the trace, however the program ends', function () {
  this.timeout(60_000);

  it('normal exit', () => {
    const r = runTraced('test/fixtures/programs/exit-normal.ts', { real: true });
    assert.strictEqual(r.status, 0, r.stderr);
    const end = last(r.events);
    assert.deepStrictEqual(end.type === 'run.finished' && [end.exitCode, end.signal, end.pendingTasks], [0, null, 0]);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.done').length, 4);
    assert.strictEqual(printed(r.events), 'worker 1 done\nworker 2 done\nworker 3 done\n[ 1, 2, 3 ]\n');
  });

  it('a failing main task (run() rejects, nobody catches it)', () => {
    const r = runTraced('test/fixtures/programs/exit-uncaught.ts', { real: true });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /TypeError: boom in main/);
    assert.match(printed(r.events), /about to fail/);
    const failed = r.events.find((e) => e.type === 'task.failed');
    assert.ok(failed && failed.type === 'task.failed' && failed.error.message === 'boom in main');
    // asyncio.run cancels what is left before it raises.
    assert.ok(r.events.some((e) => e.type === 'task.cancelled'));
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.exitCode === 1);
  });

  it('an exception thrown from a plain callback crashes the process', () => {
    const r = runTraced('test/fixtures/programs/exit-sync-throw.ts', { real: true });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /crash from a timer/);
    assert.match(printed(r.events), /scheduling a crash/);
    assert.deepStrictEqual(taskNames(r.events), ['main', 'sleeper']);
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.exitCode === 1 && end.pendingTasks === 2, JSON.stringify(end));
  });

  it('an unhandled rejection', () => {
    const r = runTraced('test/fixtures/programs/exit-rejection.ts', { real: true });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /nobody handles this/);
    assert.match(printed(r.events), /rejecting/);
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.exitCode === 1);
    assert.ok(r.events.some((e) => e.type === 'task.suspended'));
  });

  it('process.exit() in the middle of a task', () => {
    const r = runTraced('test/fixtures/programs/exit-process-exit.ts', { real: true });
    assert.strictEqual(r.status, 7);
    assert.match(printed(r.events), /exiting with 7/);
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.exitCode === 7 && end.pendingTasks === 2, JSON.stringify(end));
  });

  it('SIGKILL: the events flushed before it are kept, and the trace says its end may be missing', () => {
    const r = runTraced('test/fixtures/programs/exit-sigkill.ts', { real: true });
    assert.match(printed(r.events), /before the kill/);
    assert.ok(r.events.some((e) => e.type === 'task.suspended'));
    const warning = r.events.find((e) => e.type === 'warning' && e.kind === 'events-dropped');
    assert.ok(warning && warning.type === 'warning', 'no warning that the trace may be incomplete');
    assert.match(warning.message, /ended without handing over its last events \(SIGKILL\)/);
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.signal === 'SIGKILL', JSON.stringify(end));
  });

  it('a normal exit carries no such warning', () => {
    const r = runTraced('test/fixtures/programs/exit-normal.ts', { real: true });
    assert.ok(!r.events.some((e) => e.type === 'warning' && e.kind === 'events-dropped'));
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}`, async () => {
      const tracePath = path.join(tempDir(), 'trace.cotrace');
      let output = '';
      let sent = false;
      const running = startProgram(path.join(ROOT, 'test/fixtures/programs/exit-signal.ts'), {
        tracePath,
        stdio: 'pipe',
        onOutput: (_stream, text) => {
          output += text;
          if (!sent && output.includes('ready')) {
            sent = true;
            process.kill(running.pid!, signal);
          }
        },
      });
      const result = await running.result;
      assert.ok(sent, 'the program never said it was ready');
      assert.strictEqual(result.finished.signal, signal);
      assert.strictEqual(result.finished.exitCode, null);
      const trace = parseTrace(fs.readFileSync(tracePath, 'utf8'));
      assert.strictEqual(trace.truncated, false);
      assert.deepStrictEqual(taskNames(trace.events), ['main', 'ticker', 'sleeper']);
      // The ticker woke every 5 ms for 50 ms before "ready": its wake-ups are all there.
      const tickerWakes = trace.events.filter((e) => e.type === 'task.resumed' && e.task === 2).length;
      assert.ok(tickerWakes >= 5, `only ${tickerWakes} ticker wake-ups recorded`);
      assert.match(printed(trace.events), /ready/);
      // As asyncio.run on Ctrl-C: the tasks were cancelled and unwound before the process died of the signal.
      const end = last(trace.events);
      assert.ok(end.type === 'run.finished' && end.pendingTasks === 0, JSON.stringify(end));
      const cancelled = trace.events.filter((e) => e.type === 'task.cancelled');
      assert.strictEqual(cancelled.length, 3);
      assert.ok(cancelled.every((e) => e.type === 'task.cancelled' && e.message === `stopped by ${signal}`));
    });
  }

  it('stop() ends the program within a second and the trace is complete', async () => {
    const tracePath = path.join(tempDir(), 'trace.cotrace');
    let ready = false;
    const running = startProgram(path.join(ROOT, 'test/fixtures/programs/exit-signal.ts'), {
      tracePath,
      stdio: 'pipe',
      onOutput: (_s, text) => {
        if (!ready && text.includes('ready')) {
          ready = true;
          running.stop();
        }
      },
    });
    const started = Date.now();
    const result = await running.result;
    assert.ok(ready);
    assert.ok(result.finished.signal === 'SIGTERM' || result.finished.signal === 'SIGKILL');
    const trace = parseTrace(fs.readFileSync(tracePath, 'utf8'));
    assert.strictEqual(last(trace.events).type, 'run.finished');
    // Generous bound: the point is "about a second", not a timing benchmark.
    assert.ok(Date.now() - started < 10_000);
  });

  it('live events reach onEvents in order while the program runs, ending with run.finished', async () => {
    const seen: TraceEvent[] = [];
    let batches = 0;
    const result = await startProgram(path.join(ROOT, 'test/fixtures/programs/exit-normal.ts'), {
      stdio: 'pipe',
      onEvents: (events) => {
        batches++;
        seen.push(...events);
      },
    }).result;
    assert.ok(batches >= 1);
    assert.strictEqual(result.tracePath, null);
    assert.strictEqual(last(seen).type, 'run.finished');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].t >= seen[i - 1].t, `time went back at event ${i}`);
    assert.strictEqual(seen.filter((e) => e.type === 'task.done').length, 4);
  });

  it('a burst of events larger than the host can decode while the program runs is written in full', () => {
    // 3 tasks × 20,000 sleep(0): 120,000 suspensions and resumptions, produced faster than the host writes JSON.
    const r = runTraced('test/fixtures/programs/many-events.ts', { real: true });
    assert.strictEqual(r.status, 0, r.stderr);
    const end = last(r.events);
    assert.ok(end.type === 'run.finished' && end.droppedEvents === 0, JSON.stringify(end));
    // Each spinner suspends and resumes 20,000 times; main once (its gather).
    assert.strictEqual(r.events.filter((e) => e.type === 'task.resumed').length, 60_000 + 1);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.suspended').length, 60_000 + 1);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.done').length, 4);
  });

  it('a program that does not use the runtime still runs; its trace has no tasks', () => {
    const r = runTraced('test/fixtures/programs/no-runtime.ts', { real: true });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, 'hello from a plain program\n');
    assert.strictEqual(taskNames(r.events).length, 0);
    assert.strictEqual(last(r.events).type, 'run.finished');
  });

  it('foreign promises, plain async helpers, Promise.all over tasks and .catch chaining work inside tasks', () => {
    const r = runTraced('test/fixtures/programs/foreign-promises.ts', { real: true });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(
      r.stdout,
      [
        'worker 1: read myself, got 2',
        'worker 2: read myself, got 4',
        'Promise.all [ 2, 4 ]',
        'waitFor TimeoutError',
        'then 21',
        '',
      ].join('\n'),
    );
    // The tasks waited on the file read as on something external, and each wait was attributed to its own task.
    const external = r.events.filter((e) => e.type === 'task.suspended' && e.reason.kind === 'external');
    const w1 = r.events.find((e) => e.type === 'task.created' && e.name === 'w1')!;
    assert.ok(external.some((e) => e.type === 'task.suspended' && w1.type === 'task.created' && e.task === w1.task));
    for (const e of r.events) {
      if (e.type === 'task.suspended') assert.notStrictEqual(e.reason.kind === 'task' && e.reason.target, e.task);
    }
    assert.ok(r.events.some((e) => e.type === 'task.done' && w1.type === 'task.created' && e.task === w1.task));
  });

  it('import.meta and require in a bundled module name the original file', () => {
    const r = runTraced('test/fixtures/programs/module-location.mjs', { real: true });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, 'module-location.mjs programs programs true\n');
  });

  it('a deadlocked program ends cleanly with a deadlock warning instead of hanging', () => {
    const r = runTraced('test/fixtures/programs/deadlock.ts', { real: true });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /DeadlockError/);
    const warning = r.events.find((e) => e.type === 'warning' && e.kind === 'deadlock');
    assert.ok(warning && warning.type === 'warning' && /still waiting: main/.test(warning.message));
    assert.strictEqual(last(r.events).type, 'run.finished');
  });
});
