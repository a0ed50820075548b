/**
 * The busy-loop finding (model/diagnostics.ts) on made-up traces, where each step's length is chosen: spinning is
 * found even after a slow start, and a loop whose steps do work between yields is not taken for spinning.
 */
import * as assert from 'assert';
import type { SourceSite, TraceEvent, TraceHeader } from '../../src/contract/trace';
import { BUSY_LOOP_MIN_YIELDS, BUSY_LOOP_MS, BUSY_LOOP_YIELDS, BUSY_STEP_MS, analyzeTrace } from '../../src/model/diagnostics';
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

/**
 * Task 1 (`poller`) yields once after each step, step `i` taking `stepMs(i)`, from `siteOf(i)`, and resumes `gapMs`
 * later; then it ends.
 */
function pollerTrace(
  yields: number,
  stepMs: (i: number) => number,
  siteOf: (i: number) => SourceSite = () => AWAIT,
  clock: TraceHeader['clock'] = 'real',
  gapMs = 0.001,
) {
  const events: TraceEvent[] = [
    { t: 0, type: 'task.created', task: 1, name: 'poller', parent: null, site: null },
    { t: 0, type: 'task.started', task: 1 },
  ];
  let t = 0;
  for (let i = 0; i < yields; i++) {
    t += stepMs(i);
    events.push({ t, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 0, until: t }, site: siteOf(i) });
    t += gapMs;
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

  it('finds a loop that only yields, at its await, and counts all its yields', () => {
    const found = busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => fast));
    assert.strictEqual(found.length, 1);
    assert.strictEqual(found[0].task, 1);
    assert.deepStrictEqual(found[0].site, AWAIT);
    // Twice the threshold from one await, then a yield from another: the finding counts the first await's run.
    const longer = pollerTrace(BUSY_LOOP_YIELDS * 2 + 1, () => fast, (i) => (i < BUSY_LOOP_YIELDS * 2 ? AWAIT : OTHER_AWAIT));
    assert.match(busyLoopFindings(longer)[0].message, new RegExp(`sleep\\(0\\) ${BUSY_LOOP_YIELDS * 2} times in a row over `));
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

  it('on a real clock, finds fewer yields spinning long enough (a loaded machine gives the poller few turns)', () => {
    // The yields are short but far apart: the process was descheduled between them (the time falls between a
    // suspension and the next resumption, as when other processes have the CPU), and a few steps ran long.
    const gapMs = (BUSY_LOOP_MS / BUSY_LOOP_MIN_YIELDS) * 1.1;
    const loaded = (yields: number, clock: TraceHeader['clock'] = 'real') =>
      busyLoopFindings(pollerTrace(yields, (i) => (i % 10 === 0 ? slow : fast), () => AWAIT, clock, gapMs));
    const found = loaded(BUSY_LOOP_MIN_YIELDS);
    assert.strictEqual(found.length, 1);
    assert.match(found[0].message, new RegExp(`yielded with sleep\\(0\\) ${BUSY_LOOP_MIN_YIELDS} times in a row over 1\\d\\d(\\.\\d+)? ms `));
    assert.deepStrictEqual(loaded(BUSY_LOOP_MIN_YIELDS - 1), [], 'fewer yields than the least');
    assert.deepStrictEqual(loaded(BUSY_LOOP_MIN_YIELDS, 'virtual'), [], 'virtual time is not spinning time');
  });

  it('on a real clock, does not take a few fast yields for spinning, nor a long run of yields that work', () => {
    assert.deepStrictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS - 1, () => fast)), []);
    const working = pollerTrace(BUSY_LOOP_MIN_YIELDS * 2, (i) => (i % 4 === 0 ? fast : slow * 2));
    assert.deepStrictEqual(busyLoopFindings(working), []);
  });

  it('does not time steps under the virtual clock: there, only the yields count', () => {
    assert.deepStrictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => slow)), []);
    assert.strictEqual(busyLoopFindings(pollerTrace(BUSY_LOOP_YIELDS, () => slow, () => AWAIT, 'virtual')).length, 1);
  });
});
