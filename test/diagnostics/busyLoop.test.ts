/**
 * The busy-loop finding (model/diagnostics.ts) on made-up traces, where each step's length is chosen: spinning is
 * found even after a slow start, and a loop whose steps do work between yields is not taken for spinning.
 */
import * as assert from 'assert';
import type { SourceSite, TraceEvent, TraceHeader } from '../../src/contract/trace';
import { BUSY_LOOP_YIELDS, BUSY_STEP_MS, analyzeTrace } from '../../src/model/diagnostics';
import { buildModel } from '../../src/model/model';

const HEADER: TraceHeader = {
  format: 'coroutine-trace',
  version: 1,
  clock: 'real',
  program: '/p/poll.ts',
  startedAt: '2026-01-01T00:00:00.000Z',
};
const AWAIT: SourceSite = { file: '/p/poll.ts', line: 7, column: 22 };
const OTHER_AWAIT: SourceSite = { file: '/p/poll.ts', line: 9, column: 11 };

/** Task 1 (`poller`) yields once after each step, step `i` taking `stepMs(i)`, from `siteOf(i)`; then it ends. */
function pollerTrace(
  yields: number,
  stepMs: (i: number) => number,
  siteOf: (i: number) => SourceSite = () => AWAIT,
  clock: TraceHeader['clock'] = 'real',
) {
  const events: TraceEvent[] = [
    { t: 0, type: 'task.created', task: 1, name: 'poller', parent: null, site: null },
    { t: 0, type: 'task.started', task: 1 },
  ];
  let t = 0;
  for (let i = 0; i < yields; i++) {
    t += stepMs(i);
    events.push({ t, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 0, until: t }, site: siteOf(i) });
    t += 0.001;
    events.push({ t, type: 'task.resumed', task: 1, cause: { kind: 'yield' } });
  }
  events.push({ t: t + 0.01, type: 'task.done', task: 1, result: 'undefined' });
  return buildModel({ ...HEADER, clock }, events);
}

function busyLoopFindings(model: ReturnType<typeof buildModel>) {
  return analyzeTrace(model).filter((w) => w.kind === 'busy-loop');
}

describe('diagnostics: busy loops', () => {
  const fast = BUSY_STEP_MS / 20;
  const slow = BUSY_STEP_MS * 1.5;

  it('finds a loop that only yields, at its await', () => {
    const found = busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => fast));
    assert.strictEqual(found.length, 1);
    assert.strictEqual(found[0].task, 1);
    assert.deepStrictEqual(found[0].site, AWAIT);
  });

  it('needs as many yields in a row as the threshold', () => {
    assert.deepStrictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS - 1, () => fast)), []);
  });

  it('finds the spinning after a slow start (steps long at first, then short)', () => {
    // Since the run began, most steps up to its end are long (1.2 × the threshold of them, then 0.8 × short): a
    // count from the start would never see four short steps to each long one. The last `threshold` yields do.
    const start = Math.round(BUSY_LOOP_YIELDS * 1.2);
    const found = busyLoopFindings(pollerTrace(start * 2, (i) => (i < start ? slow : fast)));
    assert.strictEqual(found.length, 1);
  });

  it('does not take a loop whose steps work between yields for spinning, even with some short steps', () => {
    // Every third step is short: two thirds of the steps work.
    assert.deepStrictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS * 3, (i) => (i % 3 === 0 ? fast : slow))), []);
  });

  it('allows a few long steps (the process descheduled) among the short ones', () => {
    const found = busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, (i) => (i % 10 === 0 ? slow : fast)));
    assert.strictEqual(found.length, 1);
  });

  it('counts yields from one await only: a loop alternating between two awaits is not one run', () => {
    const alternating = pollerTrace(BUSY_LOOP_YIELDS * 2, () => fast, (i) => (i % 2 === 0 ? AWAIT : OTHER_AWAIT));
    assert.deepStrictEqual(busyLoopFindings(alternating), []);
  });

  it('does not time steps under the virtual clock: there, only the yields count', () => {
    assert.deepStrictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => slow)), []);
    assert.strictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => slow, () => AWAIT, 'virtual')).length, 1);
  });
});
