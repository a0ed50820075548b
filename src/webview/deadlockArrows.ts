/**
 * The wait-for arrows of a deadlock: when the trace reports one, every task still waiting points at each task it
 * waits for (the tasks it awaits, the holders of the lock it wants, the producers of the queue it reads), at the time
 * the deadlock was found. A cycle among them is the deadlock. Pure: what they are, where they are drawn (a curve per
 * arrow, shared by the renderer and the hit-test), and which one is under the pointer.
 */
import type { SourceSite, SuspendReason } from '../contract/trace';
import { dependencies } from '../model/diagnostics';
import type { TaskInfo, TraceModel } from '../model/model';
import { distanceToSegment } from './hitTest';
import { ARROW_HIT_PX, BAR_HEIGHT, BAR_TOP, Scene, rowTop, xOf } from './scene';

export interface WaitForArrow {
  from: number;
  to: number;
  /** When the deadlock was found. */
  t: number;
  /** This edge in words: `main awaits a-to-b`, `a-to-b waits for lock ledger held by b-to-a`. */
  what: string;
  /** The waiting task's `await`. */
  site: SourceSite | null;
}

/** The arrows of the last deadlock the trace reports; none when it reports none. */
export function deadlockArrows(model: TraceModel): WaitForArrow[] {
  let t: number | undefined;
  for (const w of model.warnings) if (w.kind === 'deadlock') t = w.t;
  if (t === undefined) return [];
  const arrows: WaitForArrow[] = [];
  for (const task of model.tasks) {
    const last = stuckOn(task);
    if (!last?.reason) continue;
    for (const to of dependencies(model, last.reason)) {
      if (to === task.id || model.taskById.get(to)?.endedAt !== undefined) continue;
      arrows.push({ from: task.id, to, t, what: `${task.name} ${describeEdge(model, last.reason, to)}`, site: last.site ?? null });
    }
  }
  return arrows;
}

/** One edge of a wait: what `reason` has to do with task `to`. */
function describeEdge(model: TraceModel, reason: SuspendReason, to: number): string {
  const task = model.taskById.get(to)?.name ?? `Task #${to}`;
  const resource = (id: number): string => model.resourceById.get(id)?.name ?? `resource #${id}`;
  switch (reason.kind) {
    case 'lock':
    case 'semaphore':
      return `waits for ${reason.kind} ${resource(reason.resource)} held by ${task}`;
    case 'queue.get':
      return `waits on queue ${resource(reason.resource)} for an item from ${task}`;
    default:
      return `awaits ${task}`;
  }
}

/** What an unfinished task waits on at the end of the trace. */
function stuckOn(task: TaskInfo) {
  if (task.endedAt !== undefined) return undefined;
  const last = task.lane.last();
  return last && (last.state === 'waiting' || last.state === 'sleeping') ? last : undefined;
}

/** Memo per model, recomputed when a live model has grown. */
const memo = new WeakMap<TraceModel, { events: number; arrows: WaitForArrow[] }>();

export function deadlockArrowsOf(model: TraceModel): WaitForArrow[] {
  const hit = memo.get(model);
  if (hit && hit.events === model.eventCount) return hit.arrows;
  const arrows = deadlockArrows(model);
  memo.set(model, { events: model.eventCount, arrows });
  return arrows;
}

/**
 * Where an arrow is drawn: a quadratic curve from the middle of the waiting task's bar (x, y1) to the middle of the
 * other's (x, y2), through control point (cx, cy), just left of the time the deadlock was found (the end of the
 * trace, so they stay on the plot). It bulges to the left going down and to the right going up, so that two tasks
 * waiting for each other draw a closed loop.
 */
export interface ArrowCurve {
  arrow: WaitForArrow;
  x: number;
  y1: number;
  y2: number;
  cx: number;
  cy: number;
}

const MAX_BULGE = 22;

/** The curves of the scene's deadlock arrows (none when they are turned off, or both ends share a row). */
export function deadlockCurves(scene: Scene): ArrowCurve[] {
  if (!scene.arrows.deadlock) return [];
  const arrows = deadlockArrowsOf(scene.model);
  if (arrows.length === 0) return [];
  const g = scene.geometry;
  const rowOfTask = scene.layout.rowOfTask;
  const rowOf = (task: number): number => (task < rowOfTask.length ? rowOfTask[task] : -1);
  const curves: ArrowCurve[] = [];
  for (const arrow of arrows) {
    const ra = rowOf(arrow.from);
    const rb = rowOf(arrow.to);
    if (ra < 0 || rb < 0 || ra === rb) continue;
    const x = xOf(scene, arrow.t) - MAX_BULGE;
    const down = rb > ra ? 1 : -1;
    // From the middle of one bar to the middle of the other (lanes are close: edges would leave a stub).
    const y1 = rowTop(g, ra) + BAR_TOP + BAR_HEIGHT / 2;
    const y2 = rowTop(g, rb) + BAR_TOP + BAR_HEIGHT / 2;
    const cx = x - down * Math.min(MAX_BULGE, 12 + Math.abs(y2 - y1) * 0.2) * 2;
    curves.push({ arrow, x, y1, y2, cx, cy: (y1 + y2) / 2 });
  }
  return curves;
}

/** Points along a curve, for hit-testing it as a polyline. */
function curvePoints(c: ArrowCurve, steps = 16): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= steps; i++) {
    const u = i / steps;
    const a = (1 - u) * (1 - u);
    const b = 2 * u * (1 - u);
    const d = u * u;
    points.push([a * c.x + b * c.cx + d * c.x, a * c.y1 + b * c.cy + d * c.y2]);
  }
  return points;
}

/** The deadlock arrow under the point (within the arrow hit distance, plus its 2 px of width), or null. */
export function deadlockArrowNear(scene: Scene, x: number, y: number): WaitForArrow | null {
  let best: WaitForArrow | null = null;
  let bestDistance = ARROW_HIT_PX + 1;
  for (const curve of deadlockCurves(scene)) {
    const points = curvePoints(curve);
    for (let i = 1; i < points.length; i++) {
      const d = distanceToSegment(x, y, points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]);
      if (d <= bestDistance) {
        best = curve.arrow;
        bestDistance = d;
      }
    }
  }
  return best;
}
