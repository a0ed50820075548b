import * as assert from 'assert';
import { ChromeTraceEvent, toChromeTrace } from '../../src/model/chromeExport';
import { modelOf } from './fixtures';

const DIR = '/home/user/coroutine-trace/examples/seed';

function only(events: ChromeTraceEvent[], pred: (e: ChromeTraceEvent) => boolean, what: string): ChromeTraceEvent {
  const found = events.filter(pred);
  assert.strictEqual(found.length, 1, `exactly one ${what}, got ${JSON.stringify(found)}`);
  return found[0];
}

describe('chromeExport', () => {
  const trace06 = toChromeTrace(modelOf('06-runtime-tasks.cotrace'));
  const events06 = trace06.traceEvents;

  it('is Chrome trace JSON with ms display and survives JSON', () => {
    assert.strictEqual(trace06.displayTimeUnit, 'ms');
    assert.deepStrictEqual(JSON.parse(JSON.stringify(trace06)), trace06);
    assert.strictEqual(trace06.otherData.program, `${DIR}/06-runtime-tasks.ts`);
  });

  it('names one thread track per task, sorted by creation', () => {
    const names = events06.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    assert.deepStrictEqual(
      names.map((e) => [e.pid, e.tid, e.args?.name]),
      [
        [1, 1, 'main'],
        [1, 2, 'Task-2'],
        [1, 3, 'Task-3'],
      ],
    );
    const order = events06.filter((e) => e.ph === 'M' && e.name === 'thread_sort_index');
    assert.deepStrictEqual(
      order.map((e) => [e.tid, e.args?.sort_index]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
  });

  it('has a sleep slice with its reason as name, microsecond ts/dur and the await site', () => {
    const sleep = only(events06, (e) => e.ph === 'X' && e.tid === 2 && e.name === 'sleep 1 s', 'sleep slice of Task-2');
    assert.strictEqual(sleep.ts, 0);
    assert.strictEqual(sleep.dur, 1_000_000);
    assert.strictEqual(sleep.cat, 'sleeping');
    assert.strictEqual(sleep.args?.site, `${DIR}/06-runtime-tasks.ts:5:3`);
    assert.strictEqual(sleep.args?.wokenBy, 'timer');
    const awaitSlice = only(events06, (e) => e.ph === 'X' && e.name === 'await Task-3', 'await Task-3 slice');
    assert.deepStrictEqual([awaitSlice.tid, awaitSlice.ts, awaitSlice.dur], [1, 1_000_000, 1_000_000]);
    assert.strictEqual(awaitSlice.args?.wokenBy, 'result (Task-3)');
  });

  it('has running slices and no slice after a task ended', () => {
    const running = events06.filter((e) => e.ph === 'X' && e.tid === 2 && e.name === 'running');
    assert.deepStrictEqual(
      running.map((e) => [e.ts, e.dur]),
      [
        [0, 0],
        [1_000_000, 0],
      ],
    );
    assert.ok(!events06.some((e) => e.ph === 'X' && (e.ts ?? 0) >= 1_000_000 && e.tid === 2 && e.name !== 'running'));
  });

  it('links creation and await with flow pairs sharing an id', () => {
    const starts = events06.filter((e) => e.ph === 's');
    const finishes = events06.filter((e) => e.ph === 'f');
    assert.strictEqual(starts.length, 4);
    const pairs = starts.map((s) => {
      const f = only(finishes, (e) => e.id === s.id, `flow finish ${s.id}`);
      assert.strictEqual(f.bp, 'e');
      return `${s.name} ${s.tid}@${s.ts} -> ${f.tid}@${f.ts}`;
    });
    assert.deepStrictEqual(pairs, [
      'create 1@0 -> 2@0',
      'create 1@0 -> 3@0',
      'await 1@0 -> 2@1000000',
      'await 1@1000000 -> 3@2000000',
    ]);
  });

  it('marks ends, cancel requests and output with instants', () => {
    const events = toChromeTrace(modelOf('07-cancel-timeout.cotrace')).traceEvents;
    const failed = only(events, (e) => e.ph === 'i' && e.name === 'failed', 'failed instant');
    assert.deepStrictEqual([failed.tid, failed.ts, failed.s], [3, 2_000_000, 't']);
    assert.strictEqual(failed.args?.error, 'RangeError: division by zero');
    const request = only(events, (e) => e.ph === 'i' && e.name === 'cancel requested', 'cancel request');
    assert.deepStrictEqual([request.tid, request.ts, request.args?.by], [4, 2_000_000, 'main']);
    assert.strictEqual(request.args?.site, `${DIR}/07-cancel-timeout.ts:24:3`);
    only(events, (e) => e.ph === 'i' && e.name === 'cancelled' && e.tid === 4, 'cancelled instant');
    const done = only(events, (e) => e.ph === 'i' && e.name === 'done' && e.tid === 2, 'done instant of Task-2');
    assert.deepStrictEqual([done.ts, done.args?.result], [1_000_000, '1']);
    only(events, (e) => e.ph === 'X' && e.name === 'gather [Task-2, Task-3, Task-4]', 'gather slice');
    const out = only(events, (e) => e.ph === 'i' && e.name === 'stdout', 'output instant');
    assert.strictEqual(out.tid, 1);
  });

  it('converts fractional milliseconds of a real clock exactly and names queue waits', () => {
    const events = toChromeTrace(modelOf('08-queue-handoff.cotrace')).traceEvents;
    const get = events.filter((e) => e.ph === 'X' && e.name === 'queue.get Queue-1');
    assert.deepStrictEqual(
      get.map((e) => [e.tid, e.ts, e.dur]),
      [
        [2, 650, 230],
        [2, 2001630, 999220],
      ],
    );
    const warning = only(events, (e) => e.ph === 'i' && e.name === 'warning: never-awaited', 'warning instant');
    assert.deepStrictEqual([warning.tid, warning.ts], [1, 3001050]);
    const queueFlows = events.filter((e) => e.name === 'queue' && (e.ph === 's' || e.ph === 'f'));
    assert.deepStrictEqual(
      queueFlows.map((e) => `${e.ph} ${e.tid}@${e.ts}`),
      ['s 3@740', 'f 2@910', 's 3@1001100', 'f 2@1001330'],
    );
  });
});
