import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildModel, TraceModel } from '../../src/model/model';
import { parseTrace } from '../../src/model/traceFileReader';
import { MessageType } from '../../src/protocol/webviewMessages';
import { blockedOverlayOf } from '../../src/webview/blockedOverlay';
import { deadlockArrowNear, deadlockArrows, deadlockCurves } from '../../src/webview/deadlockArrows';
import { announce, describeHit, describeSegment } from '../../src/webview/describe';
import { hitTest, siteOfHit } from '../../src/webview/hitTest';
import { NO_FILTER, layoutLanes } from '../../src/webview/layout';
import { ALL_ARROWS, AXIS_HEIGHT, ROW_HEIGHT, Scene } from '../../src/webview/scene';
import { TraceSession } from '../../src/webview/session';
import { sanitizeViewState } from '../../src/webview/viewState';
import { fitView } from '../../src/webview/viewport';

/** Traces of the bug examples, recorded for the extension's warning tests. */
const FIXTURES = path.resolve(__dirname, '../../../test/extension/fixtures');

function model(name: string): TraceModel {
  const { header, events } = parseTrace(fs.readFileSync(path.join(FIXTURES, `${name}.cotrace`), 'utf8'));
  return buildModel(header, events);
}

function sceneOf(name: string, overrides: Partial<Scene> = {}): Scene {
  const { header, events } = parseTrace(fs.readFileSync(path.join(FIXTURES, `${name}.cotrace`), 'utf8'));
  const session = new TraceSession();
  session.handle({ type: MessageType.Snapshot, header, events, live: false });
  const m = session.model!;
  return {
    model: m,
    layout: layoutLanes(m, { filter: NO_FILTER, collapsed: new Set(), showResources: false }),
    view: fitView(m.endTime, 1000),
    geometry: { width: 1200, height: 400, labelWidth: 200, axisHeight: AXIS_HEIGHT, rowHeight: ROW_HEIGHT, scrollTop: 0 },
    arrows: { ...ALL_ARROWS },
    edges: session.edges,
    marks: (task) => session.marks(task),
    runWarnings: session.runWarnings,
    cursor: null,
    ...overrides,
  };
}

describe('webview deadlock arrows', () => {
  it('points every waiting task at what it waits for: main at both tasks, the two tasks at each other (the cycle)', () => {
    const m = model('deadlock');
    const name = (id: number) => m.taskById.get(id)!.name;
    const arrows = deadlockArrows(m);
    assert.deepStrictEqual(
      arrows.map((a) => `${name(a.from)} → ${name(a.to)}`),
      ['main → a-to-b', 'main → b-to-a', 'a-to-b → b-to-a', 'b-to-a → a-to-b'],
    );
    assert.ok(arrows.every((a) => a.t === m.endTime));
  });

  it('says what each edge is, one edge at a time', () => {
    const arrows = deadlockArrows(model('deadlock'));
    assert.deepStrictEqual(
      arrows.map((a) => a.what),
      [
        'main awaits a-to-b',
        'main awaits b-to-a',
        'a-to-b waits for lock ledger held by b-to-a',
        'b-to-a waits for lock accounts held by a-to-b',
      ],
    );
    // Each leads to the waiting task's await.
    assert.ok(arrows.every((a) => a.site && /deadlock\.ts$/.test(a.site.file)), JSON.stringify(arrows.map((a) => a.site)));
  });

  it('draws nothing without a deadlock', () => {
    assert.deepStrictEqual(deadlockArrows(model('deadlock-ok')), []);
    assert.deepStrictEqual(deadlockArrows(model('pending-at-exit')), []);
  });

  it('hovering an arrow names its edge and whether it is part of the cycle; a click opens the await', () => {
    const scene = sceneOf('deadlock');
    const curves = deadlockCurves(scene);
    assert.strictEqual(curves.length, 4);
    const lock = curves.find((c) => c.arrow.what.startsWith('a-to-b waits for lock'))!;
    // The curve's middle (u = 1/2 of the quadratic): halfway between its ends and its control point.
    const x = (lock.x + lock.cx) / 2;
    const y = (lock.y1 + lock.y2) / 2;
    assert.strictEqual(deadlockArrowNear(scene, x, y), lock.arrow);
    const hit = hitTest(scene, x, y);
    assert.ok(hit && hit.kind === 'deadlock', hit?.kind);
    const tip = describeHit(scene.model, hit)!;
    assert.strictEqual(tip.title, 'a-to-b waits for lock ledger held by b-to-a');
    assert.match(announce(tip), /part of the wait-for cycle/);
    assert.strictEqual(siteOfHit(hit), lock.arrow.site);
    const main = curves.find((c) => c.arrow.what === 'main awaits a-to-b')!;
    const mainTip = describeHit(scene.model, { kind: 'deadlock', arrow: main.arrow })!;
    assert.match(announce(mainTip), /leads into the deadlock/);
  });

  it('turned off with the other arrow kinds: not drawn, not hit; an old saved state keeps them on', () => {
    const scene = sceneOf('deadlock', { arrows: { ...ALL_ARROWS, deadlock: false } });
    assert.deepStrictEqual(deadlockCurves(scene), []);
    const on = deadlockCurves(sceneOf('deadlock'))[2];
    const hit = hitTest(scene, (on.x + on.cx) / 2, (on.y1 + on.y2) / 2);
    assert.notStrictEqual(hit?.kind, 'deadlock');
    const old = { create: true, await: false, cancel: true, queue: true };
    assert.strictEqual(sanitizeViewState({ ...sanitizeViewState(undefined), arrows: old }).arrows.deadlock, true);
    assert.strictEqual(sanitizeViewState({ ...sanitizeViewState(undefined), arrows: { ...old, deadlock: false } }).arrows.deadlock, false);
  });
});

describe('webview blocked-loop overlay', () => {
  it('the blocking step’s tooltip names the span and the task it delayed; the delayed task’s says how late it ran', () => {
    const m = model('blocked-loop');
    const overlay = blockedOverlayOf(m);
    assert.strictEqual(overlay, blockedOverlayOf(m), 'memoized per model');
    assert.strictEqual(overlay.spans.length, 1);
    const cruncher = m.tasks.find((t) => t.coroutine === 'cruncher')!;
    const heartbeat = m.tasks.find((t) => t.coroutine === 'heartbeat')!;
    const step = cruncher.segments.findIndex((s) => s.state === 'running' && s.end - s.start > 300);
    const stepTip = announce(describeSegment(m, cruncher, step));
    assert.match(stepTip, /blocked loop ran 400(\.\d+)? ms without yielding \(16(\.\d+)? ms–416(\.\d+)? ms\); delayed Task-2/);
    const wait = heartbeat.segments.findIndex((s) => s.state === 'sleeping' && s.start < 100 && s.end > 400);
    const waitTip = announce(describeSegment(m, heartbeat, wait));
    assert.match(waitTip, /delayed ready at 54(\.\d+)? ms, ran at 417(\.\d+)? ms \(3\d\d(\.\d+)? ms late\): Task-3 blocked the loop/);
    // Segments away from the span say nothing of it.
    const later = heartbeat.segments.findIndex((s) => s.state === 'sleeping' && s.start > 450);
    assert.doesNotMatch(announce(describeSegment(m, heartbeat, later)), /blocked loop|delayed/);
    // The warning's own mark lists what it delayed.
    const warning = m.warnings.find((w) => w.kind === 'blocked-loop')!;
    const markTip = announce(describeHit(m, { kind: 'warning', row: 2, task: cruncher, events: [warning] })!);
    assert.match(markTip, /blocked loop ran .* delayed Task-2/);
  });

  it('nothing for a trace without blocked-loop warnings', () => {
    assert.deepStrictEqual(blockedOverlayOf(model('deadlock')).spans, []);
  });
});
