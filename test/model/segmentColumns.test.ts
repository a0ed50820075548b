import * as assert from 'assert';
import type { TraceEvent } from '../../src/contract/trace';
import { ModelBuilder, Segment, SegmentColumns, codeReasonKind, codeState, segmentCode } from '../../src/model/model';
import { HEADER, site } from '../webview/fixtures';

const SLEEP = { kind: 'sleep' as const, seconds: 0.1, until: 200 };

function lane(): SegmentColumns {
  const segments: Segment[] = [
    { start: 0, end: 0, state: 'pending', site: site(1) },
    { start: 0, end: 100, state: 'running' },
    { start: 100, end: 100, state: 'waiting', reason: { kind: 'task', target: 3 }, site: null, wake: { kind: 'result', by: 3 } },
    { start: 100, end: 200, state: 'running' },
    { start: 200, end: 250, state: 'sleeping', reason: SLEEP, site: site(9) },
  ];
  return SegmentColumns.of(segments);
}

describe('segment columns (the task lanes of the model)', () => {
  it('gives back the segments it was given, ends from the next start and the trace end', () => {
    const l = lane();
    assert.strictEqual(l.length, 5);
    assert.deepStrictEqual(l.list(), [
      { start: 0, end: 0, state: 'pending', site: site(1) },
      { start: 0, end: 100, state: 'running' },
      { start: 100, end: 100, state: 'waiting', reason: { kind: 'task', target: 3 }, site: null, wake: { kind: 'result', by: 3 } },
      { start: 100, end: 200, state: 'running' },
      { start: 200, end: 250, state: 'sleeping', reason: SLEEP, site: site(9) },
    ]);
    assert.strictEqual(l.site(1), undefined, 'a running segment has no site slot');
    assert.strictEqual(l.site(2), null);
    assert.strictEqual(l.reason(4), SLEEP, 'reasons are kept, not copied');
    assert.deepStrictEqual(l.last(), l.list()[4]);
  });

  it('finds segments by time as a search over the objects would', () => {
    const l = lane();
    const list = l.list();
    for (const t of [-1, 0, 50, 100, 150, 200, 249, 250, 251]) {
      const firstEnding = list.findIndex((s) => s.end >= t);
      assert.strictEqual(l.firstEndingAtOrAfter(t), firstEnding < 0 ? list.length : firstEnding, `ending at or after ${t}`);
      const at = list.findLastIndex((s) => s.start <= t);
      assert.strictEqual(l.indexAt(t), at, `at ${t}`);
    }
  });

  it('keeps a sleep given as numbers as it keeps one given as an object', () => {
    const a = SegmentColumns.of([]);
    const b = SegmentColumns.of([]);
    a.push(10, 'sleeping', SLEEP, site(3));
    b.pushSleep(10, SLEEP.seconds, SLEEP.until, site(3));
    a.setWake(0, { kind: 'timer' });
    b.setWake(0, { kind: 'timer' });
    assert.deepStrictEqual(b.segment(0), a.segment(0));
    assert.strictEqual(b.code(0), a.code(0));
    assert.deepStrictEqual(b.reason(0), SLEEP);
    for (let i = 1; i < 40; i++) b.pushSleep(10 + i, i / 1000, 10 + i * 2, null);
    assert.deepStrictEqual(b.reason(39), { kind: 'sleep', seconds: 0.039, until: 88 }, 'after the numbers grew');
  });

  it('codes carry the state and the reason kind', () => {
    assert.strictEqual(codeState(segmentCode('sleeping', SLEEP)), 'sleeping');
    assert.strictEqual(codeReasonKind(segmentCode('sleeping', SLEEP)), 'sleep');
    assert.strictEqual(codeReasonKind(segmentCode('waiting', { kind: 'external' })), 'external');
    assert.strictEqual(codeReasonKind(segmentCode('running')), undefined);
    assert.strictEqual(codeState(segmentCode('cancelled')), 'cancelled');
  });

  it("keeps a live task's segment objects up to date as events are added", () => {
    const builder = new ModelBuilder(HEADER);
    const events: TraceEvent[] = [
      { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: site(1) },
      { t: 0, type: 'task.started', task: 1 },
      { t: 5, type: 'task.suspended', task: 1, reason: SLEEP, site: site(2) },
    ];
    for (const e of events) builder.add(e);
    const task = builder.model().taskById.get(1)!;
    const before = task.segments;
    assert.deepStrictEqual(before.map((s) => [s.state, s.start, s.end]), [['pending', 0, 0], ['running', 0, 5], ['sleeping', 5, 5]]);
    builder.add({ t: 9, type: 'output', task: null, stream: 'stdout', text: 'x' });
    builder.add({ t: 12, type: 'task.resumed', task: 1, cause: { kind: 'timer' } });
    const after = task.segments;
    assert.strictEqual(after, before, 'the same array, extended');
    assert.deepStrictEqual(after.map((s) => [s.state, s.start, s.end]), [
      ['pending', 0, 0],
      ['running', 0, 5],
      ['sleeping', 5, 12],
      ['running', 12, 12],
    ]);
    assert.deepStrictEqual(after[2].wake, { kind: 'timer' });
    builder.add({ t: 20, type: 'output', task: null, stream: 'stdout', text: 'y' });
    assert.strictEqual(task.segments[3].end, 20, 'the last segment reaches the new end');
    assert.strictEqual(task.state, 'running');
    // JSON (what the snapshot tests compare) has the segments, not the columns.
    const json = JSON.parse(JSON.stringify(task)) as Record<string, unknown>;
    assert.ok(Array.isArray(json.segments));
    assert.strictEqual(json.lane, undefined);
  });

  it('makes the lanes of tasks created after a hint at the size it says, and outgrows a hint that is short', () => {
    const fold = (hint: Int32Array | null): ModelBuilder => {
      const builder = new ModelBuilder(HEADER);
      if (hint) builder.expectSegments(hint);
      for (const id of [1, 2, 3]) builder.add({ t: 0, type: 'task.created', task: id, name: `t${id}`, parent: null, site: site(1) });
      for (let i = 0; i < 40; i++) {
        for (const id of [1, 2, 3]) {
          builder.add({ t: i * 2, type: 'task.started', task: id });
          builder.add({ t: i * 2 + 1, type: 'task.suspended', task: id, reason: SLEEP, site: site(2) });
        }
      }
      return builder;
    };
    const hint = new Int32Array([0, 81, 10, 0]); // task 1: its 81 segments; task 2: too few; task 3: none
    const hinted = fold(hint);
    const lane1 = hinted.model().taskById.get(1)!.lane;
    const lane2 = hinted.model().taskById.get(2)!.lane;
    // Lanes sit one after the other in the store's buffer: the first one never moved, the second moved as it filled.
    assert.strictEqual(lane1.base, 0, 'task 1 kept its first region');
    assert.ok(lane2.base > 81 * 3, 'task 2 moved past the regions after it');
    const plain = fold(null);
    for (const id of [1, 2, 3]) {
      assert.deepStrictEqual(hinted.model().taskById.get(id)!.segments, plain.model().taskById.get(id)!.segments, `task ${id}`);
    }
  });
});
