import * as assert from 'assert';
import { Segment, SegmentColumns, TaskState } from '../../src/model/model';
import { aggregateSegments, firstSegmentEndingAfter } from '../../src/webview/aggregate';
import { Category } from '../../src/webview/categories';
import { model } from './fixtures';

type Run = [number, number, number];

function runs(segments: readonly Segment[], start: number, pxPerMs: number, xMin: number, xMax: number): Run[] {
  const out: Run[] = [];
  aggregateSegments(SegmentColumns.of(segments), { start, pxPerMs }, xMin, xMax, (x0, x1, c) => out.push([x0, x1, c]));
  return out;
}

function seg(state: TaskState, start: number, end: number, reason?: Segment['reason']): Segment {
  const s: Segment = { state, start, end };
  if (reason) s.reason = reason;
  return s;
}

/** One character per pixel: R running, r ready, s sleeping, t/q/x waiting (task, sync, external), space empty. */
function picture(list: Run[], width: number): string {
  const chars = Array.from({ length: width }, () => ' ');
  const glyph = ['R', 'r', 's', 't', 'q', 'x'];
  for (const [x0, x1, c] of list) for (let x = x0; x < x1; x++) chars[x] = glyph[c];
  return chars.join('');
}

const SLEEP = { kind: 'sleep' as const, seconds: 1, until: 1000 };

describe('webview aggregation', () => {
  it('draws wide segments as whole-pixel runs, merging neighbours of one category', () => {
    const list = runs(
      [seg('pending', 0, 0), seg('running', 0, 10), seg('sleeping', 10, 30, SLEEP), seg('running', 30, 40), seg('done', 40, 50)],
      0,
      1,
      0,
      50,
    );
    assert.deepStrictEqual(list, [
      [0, 10, Category.Running],
      [10, 30, Category.Sleeping],
      [30, 40, Category.Running],
    ]);
  });

  it('gives a pixel to the category covering most of it, ties to the most active', () => {
    // Pixel 0: running 0.3, sleeping 0.7 → sleeping. Pixel 1: running 0.5, sleeping 0.5 → running.
    const list = runs([seg('running', 0, 0.3), seg('sleeping', 0.3, 1.5, SLEEP), seg('running', 1.5, 2)], 0, 1, 0, 2);
    assert.deepStrictEqual(list, [
      [0, 1, Category.Sleeping],
      [1, 2, Category.Running],
    ]);
  });

  it('shows zero-length moments where nothing else covers the pixel', () => {
    // A virtual clock: everything at t = 0 and t = 5 is instantaneous.
    const list = runs([seg('pending', 0, 0), seg('running', 0, 0), seg('sleeping', 0, 5, SLEEP), seg('running', 5, 5), seg('done', 5, 5)], 0, 1, 0, 10);
    assert.strictEqual(picture(list, 10), 'sssss     ');
    const only = runs([seg('pending', 2, 2), seg('running', 2, 2), seg('done', 2, 2)], 0, 1, 0, 10);
    assert.strictEqual(picture(only, 10), ' R        ');
    assert.strictEqual(picture(runs([seg('running', 2.5, 2.5)], 0, 1, 0, 10), 10), '  R       ');
  });

  it('splits waiting by what is awaited', () => {
    const list = runs(
      [
        seg('waiting', 0, 2, { kind: 'task', target: 2 }),
        seg('waiting', 2, 4, { kind: 'queue.get', resource: 1 }),
        seg('waiting', 4, 6, { kind: 'external' }),
        seg('waiting', 6, 8, { kind: 'gather', targets: [2] }),
        seg('pending', 8, 10),
      ],
      0,
      1,
      0,
      10,
    );
    assert.strictEqual(picture(list, 10), 'ttqqxxttrr');
  });

  it('clips to the visible pixels and starts from the first visible segment', () => {
    const segments = [seg('running', 0, 100), seg('sleeping', 100, 200, SLEEP), seg('running', 200, 300)];
    assert.strictEqual(firstSegmentEndingAfter(segments, 150), 1);
    assert.strictEqual(firstSegmentEndingAfter(segments, 1000), 3);
    // Show 150..250 ms in 10 px (0.1 px per ms).
    const list = runs(segments, 150, 0.1, 0, 10);
    assert.strictEqual(picture(list, 10), 'sssssRRRRR');
  });

  it('emits about one rectangle per pixel for a hundred thousand sub-pixel segments', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 100_000; i++) {
      segments.push(seg(i % 2 === 0 ? 'running' : 'sleeping', i, i + 1, i % 2 ? SLEEP : undefined));
    }
    const list = runs(segments, 0, 0.01, 0, 1000); // 100 segments per pixel
    assert.ok(list.length <= 1000, `${list.length} runs`);
    // Every pixel is covered, edge to edge.
    assert.strictEqual(list[0][0], 0);
    assert.strictEqual(list[list.length - 1][1], 1000);
    for (let i = 1; i < list.length; i++) assert.strictEqual(list[i][0], list[i - 1][1]);
  });

  it('renders the 06 golden trace: worker_2 sleeps the whole run, worker_1 half of it', () => {
    const m = model('06-runtime-tasks.cotrace');
    const lanes = m.tasks.map((task) => picture(runs(task.segments, 0, 40 / m.endTime, 0, 40), 40));
    assert.deepStrictEqual(lanes, [
      'tttttttttttttttttttttttttttttttttttttttt', // main awaits worker_1, then worker_2
      'ssssssssssssssssssss                    ', // worker_1 sleeps 1 s, then is done
      'ssssssssssssssssssssssssssssssssssssssss', // worker_2 sleeps 2 s
    ]);
  });
});
