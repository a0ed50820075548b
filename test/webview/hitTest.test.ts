import * as assert from 'assert';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import type { Edge } from '../../src/model/model';
import { MessageType } from '../../src/protocol/webviewMessages';
import { announce, describeHit, stateHistory } from '../../src/webview/describe';
import { Hit, distanceToSegment, hitTest, segmentSite, siteOfHit } from '../../src/webview/hitTest';
import { NO_FILTER, layoutLanes } from '../../src/webview/layout';
import { itemAt, itemHit, laneItems, stepItem } from '../../src/webview/navigation';
import {
  ALL_ARROWS,
  ArrowLine,
  ArrowPixels,
  AXIS_HEIGHT,
  BAR_TOP,
  ROW_HEIGHT,
  Scene,
  forEachArrowLine,
  rowTop,
  visibleRows,
  xOf,
} from '../../src/webview/scene';
import { TraceSession } from '../../src/webview/session';
import { fitView } from '../../src/webview/viewport';
import { syntheticTrace, trace } from './fixtures';

const LABEL = 200;
const WIDTH = 1200;

function sceneOf(name: string, overrides: Partial<Scene> = {}): Scene {
  const { header, events } = trace(name);
  return sceneOfTrace(header, events, true, overrides);
}

/** The scene of a whole trace fitted to the plot, every arrow kind shown. */
function sceneOfTrace(header: TraceHeader, events: TraceEvent[], showResources: boolean, overrides: Partial<Scene> = {}): Scene {
  const session = new TraceSession();
  session.handle({ type: MessageType.Snapshot, header, events, live: false });
  const model = session.model!;
  const layout = layoutLanes(model, { filter: NO_FILTER, collapsed: new Set(), showResources });
  return {
    model,
    layout,
    view: fitView(model.endTime, WIDTH - LABEL),
    geometry: { width: WIDTH, height: 400, labelWidth: LABEL, axisHeight: AXIS_HEIGHT, rowHeight: ROW_HEIGHT, scrollTop: 0 },
    arrows: { ...ALL_ARROWS },
    edges: session.edges,
    marks: (task) => session.marks(task),
    runWarnings: session.runWarnings,
    cursor: null,
    ...overrides,
  };
}

/** The middle of row `row`'s bar. */
function barY(scene: Scene, row: number): number {
  return rowTop(scene.geometry, row) + BAR_TOP + 6;
}

function kindOf(hit: Hit | null): string {
  return hit ? hit.kind : 'nothing';
}

describe('webview hit-testing', () => {
  it('finds the segment under the pointer, with its site', () => {
    const scene = sceneOf('06-runtime-tasks.cotrace');
    // Task-3 (worker_2, row 2) sleeps from 0 to 2 s.
    const hit = hitTest(scene, xOf(scene, 700), barY(scene, 2));
    assert.ok(hit && hit.kind === 'segment', kindOf(hit));
    assert.strictEqual(hit.task.name, 'Task-3');
    assert.strictEqual(hit.segment.state, 'sleeping');
    assert.strictEqual(hit.segment.start, 0);
    assert.strictEqual(hit.segment.end, 2000);
    assert.deepStrictEqual(siteOfHit(hit), hit.segment.site);
    assert.strictEqual(siteOfHit(hit)!.line, 11);
    const tooltip = describeHit(scene.model, hit)!;
    assert.strictEqual(tooltip.title, 'Task-3: sleeping');
    const rows = new Map(tooltip.rows);
    assert.strictEqual(rows.get('duration'), '2 s');
    assert.strictEqual(rows.get('start'), '0 s');
    assert.strictEqual(rows.get('end'), '2 s');
    assert.strictEqual(rows.get('reason'), 'sleep 2 s (until 2 s)');
    assert.strictEqual(rows.get('woken by'), 'its timer');
    assert.strictEqual(rows.get('site'), '06-runtime-tasks.ts:11');
    assert.match(announce(tooltip), /^Task-3: sleeping; task Task-3 \(worker_2\) #3; state sleeping;/);
  });

  it('finds the axis, labels and the twisty', () => {
    const scene = sceneOf('06-runtime-tasks.cotrace');
    const axis = hitTest(scene, xOf(scene, 1000), 10);
    assert.ok(axis && axis.kind === 'axis');
    assert.ok(Math.abs(axis.t - 1000) < 1e-6);
    const twisty = hitTest(scene, 4 + 5, barY(scene, 0));
    assert.ok(twisty && twisty.kind === 'label' && twisty.twisty && twisty.task.name === 'main');
    const label = hitTest(scene, 80, barY(scene, 1));
    assert.ok(label && label.kind === 'label' && !label.twisty && label.task.name === 'Task-2');
    assert.deepStrictEqual(siteOfHit(label), label.task.site);
    assert.strictEqual(hitTest(scene, 500, barY(scene, 7)), null, 'below the last row');
    assert.strictEqual(hitTest(scene, -1, 10), null);
  });

  it('finds end markers, output marks and warnings', () => {
    const scene = sceneOf('07-cancel-timeout.cotrace');
    const rows = scene.layout.rowOfTask;
    const failed = hitTest(scene, xOf(scene, 2000) + 2, barY(scene, rows[3]));
    assert.ok(failed && failed.kind === 'end' && failed.task.name === 'Task-3', kindOf(failed));
    assert.strictEqual(describeHit(scene.model, failed)!.rows.find(([k]) => k === 'error')![1], 'RangeError: division by zero');
    const cancelled = hitTest(scene, xOf(scene, 2000), barY(scene, rows[4]));
    assert.ok(cancelled && cancelled.kind === 'end');
    assert.strictEqual(siteOfHit(cancelled)!.line, 24, 'the cancel() call');
    const tip = new Map(describeHit(scene.model, cancelled)!.rows);
    assert.strictEqual(tip.get('cancelled by'), 'main');

    const q = sceneOf('08-queue-handoff.cotrace');
    const producer = q.model.tasks.find((t) => t.name === 'producer_1')!;
    const row = q.layout.rowOfTask[producer.id];
    const write = q.marks(producer.id)!.output[1];
    const out = hitTest(q, xOf(q, write.t), rowTop(q.geometry, row) + 2);
    assert.ok(out && out.kind === 'output', kindOf(out));
    assert.strictEqual(out.events[0], write);
    assert.match(describeHit(q.model, out)!.rows.find(([k]) => k === 'text')![1], /producer_1 put a val: 2/);
    const main = q.model.tasks[0];
    const warning = q.marks(main.id)!.warnings[0];
    const w = hitTest(q, xOf(q, warning.t) - 3, rowTop(q.geometry, q.layout.rowOfTask[main.id]) + ROW_HEIGHT - 3);
    assert.ok(w && w.kind === 'warning', kindOf(w));
    assert.strictEqual(siteOfHit(w)!.line, 27);
  });

  it('finds arrows, and leaves out the kinds that are turned off', () => {
    const scene = sceneOf('07-cancel-timeout.cotrace');
    const lines: ArrowLine[] = [];
    forEachArrowLine(scene, (l) => lines.push(l));
    const kinds = lines.map((l) => l.edge.kind).sort();
    // 3 creations, 1 cancel, await: main → gather of 3 (start; the wake lines coincide with the end markers' time).
    assert.deepStrictEqual([...new Set(kinds)], ['await', 'cancel', 'create']);
    const cancel = lines.find((l) => l.edge.kind === 'cancel')!;
    const x = cancel.x1;
    const y = rowTop(scene.geometry, 2) + 1; // on the line between two bars
    const hit = hitTest({ ...scene, arrows: { create: false, await: false, cancel: true, queue: false, deadlock: false } }, x, y);
    assert.ok(hit && hit.kind === 'arrow' && hit.edge.kind === 'cancel', kindOf(hit));
    assert.strictEqual(siteOfHit(hit)!.line, 24);
    const none: ArrowLine[] = [];
    forEachArrowLine({ ...scene, arrows: { create: false, await: false, cancel: false, queue: false, deadlock: false } }, (l) => none.push(l));
    assert.strictEqual(none.length, 0);

    const q = sceneOf('08-queue-handoff.cotrace');
    const queue: ArrowLine[] = [];
    forEachArrowLine({ ...q, arrows: { create: false, await: false, cancel: false, queue: true, deadlock: false } }, (l) => queue.push(l));
    assert.ok(queue.length >= 2);
    assert.ok(queue.every((l) => l.edge.kind === 'queue' && l.y1 !== l.y2));
    assert.match(describeHit(q.model, { kind: 'arrow', edge: queue[0].edge })!.title, /producer_1 → consumer_1 through Queue-1/);
  });

  it('gives the same arrow lines as a test of every edge, zoomed out and in, scrolled anywhere', () => {
    const { header, events } = syntheticTrace({ tasks: 400, events: 30_000, seed: 9 });
    const base = sceneOfTrace(header, events, false);
    /** What forEachArrowLine yields, found by testing every edge of the index (the lines' own tests, no index). */
    const reference = (scene: Scene): ArrowLine[] => {
      const { geometry: g, view } = scene;
      const out: ArrowLine[] = [];
      const t0 = view.start - 1 / view.pxPerMs;
      const t1 = view.start + (g.width - g.labelWidth + 1) / view.pxPerMs;
      const rowOf = (task: number): number => (task < scene.layout.rowOfTask.length ? scene.layout.rowOfTask[task] : -1);
      const yOf = (row: number): number => rowTop(g, row) + g.rowHeight / 2;
      const line = (edge: Edge, ta: number, ra: number, tb: number, rb: number): void => {
        const y1 = yOf(ra);
        const y2 = yOf(rb);
        if ((y1 < g.axisHeight && y2 < g.axisHeight) || (y1 > g.height && y2 > g.height)) return;
        out.push({ edge, x1: xOf(scene, ta), y1, x2: ta === tb ? xOf(scene, ta) : xOf(scene, tb), y2, head: true });
      };
      const shown = (edge: Edge): [number, number] | null => {
        const ra = rowOf(edge.from);
        const rb = rowOf(edge.to);
        return ra < 0 || rb < 0 || ra === rb ? null : [ra, rb];
      };
      const e = scene.edges;
      for (const edge of e.create) {
        const r = shown(edge);
        if (r && edge.t >= t0 && edge.t <= t1) line(edge, edge.t, r[0], edge.t, r[1]);
      }
      for (const edge of [...e.await, ...e.openAwaits()]) {
        const r = shown(edge);
        if (!r || edge.end < t0 || edge.start > t1) continue;
        if (edge.start >= t0) line(edge, edge.start, r[0], edge.start, r[1]);
        if (!edge.open && edge.end <= t1) line(edge, edge.end, r[1], edge.end, r[0]);
      }
      for (const edge of e.cancel) {
        const r = shown(edge);
        if (r && edge.t >= t0 && edge.t <= t1) line(edge, edge.t, r[0], edge.t, r[1]);
      }
      for (const edge of e.queue) {
        const r = shown(edge);
        if (r && !(edge.end < t0 || edge.start > t1)) line(edge, edge.start, r[0], edge.end, r[1]);
      }
      return out;
    };
    const key = (l: ArrowLine): string => `${l.edge.kind} ${l.edge.from} ${l.edge.to} ${l.x1} ${l.y1} ${l.x2} ${l.y2}`;
    let compared = 0;
    for (const scrollTop of [0, 11, 24 * 150 + 7, 24 * 390]) {
      for (const view of [base.view, { ...base.view, start: 20_000, pxPerMs: 0.5 }, { ...base.view, start: 41_000, pxPerMs: 40 }]) {
        const scene = { ...base, view, geometry: { ...base.geometry, scrollTop } };
        const got: ArrowLine[] = [];
        forEachArrowLine(scene, (l) => got.push(l));
        const want = reference(scene);
        assert.deepStrictEqual(got.map(key).sort(), want.map(key).sort(), `scrollTop ${scrollTop}, view from ${view.start}`);
        compared += want.length;
      }
    }
    assert.ok(compared > 1000, `${compared} lines compared`);

    let merged = 0;
    // Drawing asks `ArrowPixels` first: the lines left are those a frame draws, off-plot ones and vertical ones on
    // pixels already drawn left out (as the renderer filtered every line before).
    for (const scrollTop of [0, 24 * 200]) {
      for (const view of [base.view, { ...base.view, start: 30_000, pxPerMs: 0.2 }]) {
        const scene = { ...base, view, geometry: { ...base.geometry, scrollTop } };
        const g = scene.geometry;
        const every: ArrowLine[] = [];
        forEachArrowLine(scene, (l) => every.push(l));
        const seen = new Set<number>();
        const kindCode = { create: 0, await: 1, cancel: 2, queue: 3 };
        const drawn = every.filter((l) => {
          const x1 = Math.round(l.x1);
          const x2 = Math.round(l.x2);
          if ((x1 < g.labelWidth && x2 < g.labelWidth) || (x1 > g.width && x2 > g.width)) return false;
          const y1 = Math.round(Math.max(g.axisHeight - 1, Math.min(g.height + 1, l.y1)));
          const y2 = Math.round(Math.max(g.axisHeight - 1, Math.min(g.height + 1, l.y2)));
          if (x1 !== x2) return true;
          const k = ((Math.min(8191, Math.max(0, x1)) * 8192 + (y1 + 2)) * 8192 + (y2 + 2)) * 4 + kindCode[l.edge.kind];
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        const got: ArrowLine[] = [];
        forEachArrowLine(scene, (l) => got.push(l), new ArrowPixels(g));
        assert.deepStrictEqual(got.map(key), drawn.map(key));
        merged += every.length - got.length;
      }
    }
    assert.ok(merged > 100, `${merged} lines merged`);
  });

  it('prefers the segment drawn in a pixel over sub-pixel neighbours', () => {
    const scene = sceneOf('08-queue-handoff.cotrace', { arrows: { create: false, await: false, cancel: false, queue: false, deadlock: false } });
    const consumer = scene.model.tasks.find((t) => t.name === 'consumer_1')!;
    const row = scene.layout.rowOfTask[consumer.id];
    // At fit zoom, the first millisecond holds several sub-pixel segments; the pointer at 0.7 ms gets one of them.
    const hit = hitTest(scene, xOf(scene, 0.7), barY(scene, row));
    assert.ok(hit && hit.kind === 'segment', kindOf(hit));
    // In the middle of the second-long sleep, the sleep.
    const sleep = hitTest(scene, xOf(scene, 500), barY(scene, row));
    assert.ok(sleep && sleep.kind === 'segment' && sleep.segment.state === 'sleeping');
  });

  it('leads running segments to the await they ran up to', () => {
    const scene = sceneOf('06-runtime-tasks.cotrace');
    const worker = scene.model.taskById.get(3)!;
    const running = worker.segments.findIndex((s) => s.state === 'running');
    assert.strictEqual(segmentSite(worker, running)!.line, 11);
  });

  it('computes distances to arrow lines', () => {
    assert.strictEqual(distanceToSegment(0, 0, 0, 0, 0, 10), 0);
    assert.strictEqual(distanceToSegment(3, 5, 0, 0, 0, 10), 3);
    assert.strictEqual(distanceToSegment(0, 13, 0, 0, 0, 10), 3);
    assert.strictEqual(distanceToSegment(1, 1, 2, 2, 2, 2), Math.SQRT2);
  });

  it('lists the visible rows', () => {
    const g = { width: 100, height: AXIS_HEIGHT + 3 * ROW_HEIGHT, labelWidth: 10, axisHeight: AXIS_HEIGHT, rowHeight: ROW_HEIGHT, scrollTop: 0 };
    assert.deepStrictEqual(visibleRows(g, 10), [0, 3]);
    assert.deepStrictEqual(visibleRows({ ...g, scrollTop: ROW_HEIGHT / 2 }, 10), [0, 4]);
    assert.deepStrictEqual(visibleRows(g, 2), [0, 2]);
  });
});

describe('webview keyboard navigation', () => {
  it('steps through every segment, output and end marker of a lane in time order', () => {
    const scene = sceneOf('06-runtime-tasks.cotrace');
    const worker = scene.model.taskById.get(2)!;
    const marks = scene.marks(2);
    const items = laneItems(worker, marks);
    assert.deepStrictEqual(
      items.map((i) => `${i.kind}@${i.t}`),
      ['segment@0', 'segment@0', 'segment@0', 'output@0', 'segment@1000', 'output@1000', 'end@1000'],
    );
    let item = stepItem(items, null, 1);
    const seen = [item];
    for (let i = 0; i < 10; i++) {
      item = stepItem(items, item, 1);
      if (item === seen[seen.length - 1]) break;
      seen.push(item);
    }
    assert.strictEqual(seen.length, items.length, 'every item is reachable');
    assert.strictEqual(stepItem(items, items[0], -1), items[0], 'stops at the first');
    assert.strictEqual(itemAt(items, 500)!.t, 0);
    const end = itemHit(1, worker, marks, items[items.length - 1]);
    assert.strictEqual(end.kind, 'end');
    assert.match(stateHistory(scene.model, worker), /^pending 0 s to 0 s; running 0 s to 0 s; sleeping 0 s to 1 s \(sleep 1 s\); running 1 s to 1 s; done at 1 s$/);
  });
});
