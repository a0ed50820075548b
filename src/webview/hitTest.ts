/**
 * Hit-testing: what is under a point of the canvas (a segment, an end marker, an output or warning mark, an arrow,
 * a label, the axis). Uses the same geometry as the renderer (scene.ts). Pure.
 */
import type { OutputEvent, SourceSite, WarningEvent } from '../contract/trace';
import type { Edge, ResourceInfo, Segment, TaskInfo } from '../model/model';
import { NOT_DRAWN, codeCategory } from './categories';
import { WaitForArrow, deadlockArrowNear } from './deadlockArrows';
import {
  ARROW_HIT_PX,
  ArrowLine,
  BAR_HEIGHT,
  BAR_TOP,
  END_MARK_RADIUS,
  INDENT,
  OUTPUT_MARK_HALF,
  Scene,
  WARNING_MARK_HALF,
  forEachArrowLine,
  rowAt,
  rowTop,
  xOf,
} from './scene';
import { xToTime } from './viewport';

export type Hit =
  /** The time axis, at time `t`. */
  | { kind: 'axis'; t: number }
  /** A lane's label; `twisty` when on the expand/collapse triangle. */
  | { kind: 'label'; row: number; task: TaskInfo; twisty: boolean }
  | { kind: 'resourceLabel'; row: number; resource: ResourceInfo }
  | { kind: 'segment'; row: number; task: TaskInfo; index: number; segment: Segment }
  /** The done / failed / cancelled marker. */
  | { kind: 'end'; row: number; task: TaskInfo }
  /** Output marks under the pointer (several when they share a pixel). */
  | { kind: 'output'; row: number; task: TaskInfo; events: OutputEvent[] }
  | { kind: 'warning'; row: number; task: TaskInfo | null; events: WarningEvent[] }
  | { kind: 'arrow'; edge: Edge }
  /** One edge of a deadlock's wait-for cycle or chain. */
  | { kind: 'deadlock'; arrow: WaitForArrow }
  /** A resource lane at time `t`. */
  | { kind: 'resource'; row: number; resource: ResourceInfo; t: number }
  /** A task's lane where nothing is drawn (before it was created, after it ended). */
  | { kind: 'lane'; row: number; task: TaskInfo; t: number };

/** Twisty hit zone width, from the indentation. */
const TWISTY_WIDTH = 14;
const LABEL_PAD = 4;

export function hitTest(scene: Scene, x: number, y: number): Hit | null {
  const g = scene.geometry;
  if (x < 0 || y < 0 || x >= g.width || y >= g.height) return null;
  const plotX = x - g.labelWidth;
  const t = xToTime(scene.view, plotX);
  if (y < g.axisHeight) {
    if (x < g.labelWidth) return null;
    // Run-level warnings sit on the bottom edge of the axis.
    if (y >= g.axisHeight - 2 * WARNING_MARK_HALF - 2) {
      const events = eventsNear(scene.runWarnings, scene, x, WARNING_MARK_HALF + 1);
      if (events.length > 0) return { kind: 'warning', row: -1, task: null, events };
    }
    return { kind: 'axis', t };
  }
  const row = rowAt(g, y);
  const lane = scene.layout.rows[row];
  if (!lane) return null;
  const top = rowTop(g, row);
  const inRow = y - top;

  if (x < g.labelWidth) {
    if (lane.kind === 'resource') return { kind: 'resourceLabel', row, resource: lane.resource };
    const indent = LABEL_PAD + Math.min(lane.depth, 12) * INDENT;
    const twisty = lane.hasChildren && x >= indent && x < indent + TWISTY_WIDTH;
    return { kind: 'label', row, task: lane.task, twisty };
  }
  if (lane.kind === 'resource') return { kind: 'resource', row, resource: lane.resource, t };

  const task = lane.task;
  // Marks first: they are small and drawn on top.
  const marks = scene.marks(task.id);
  if (marks) {
    if (inRow < BAR_TOP + 1) {
      const events = eventsNear(marks.output, scene, x, OUTPUT_MARK_HALF + 1);
      if (events.length > 0) return { kind: 'output', row, task, events };
    }
    if (inRow > BAR_TOP + BAR_HEIGHT - 1) {
      const events = eventsNear(marks.warnings, scene, x, WARNING_MARK_HALF + 1);
      if (events.length > 0) return { kind: 'warning', row, task, events };
    }
  }
  if (
    task.end &&
    Math.abs(x - xOf(scene, task.end.t)) <= END_MARK_RADIUS + 1.5 &&
    Math.abs(inRow - (BAR_TOP + BAR_HEIGHT / 2)) <= END_MARK_RADIUS + 2
  ) {
    return { kind: 'end', row, task };
  }

  // Drawn over the other arrows.
  const waitFor = deadlockArrowNear(scene, x, y);
  if (waitFor) return { kind: 'deadlock', arrow: waitFor };
  const arrow = arrowNear(scene, x, y);
  if (arrow) return { kind: 'arrow', edge: arrow };

  const found = segmentNear(task, scene, x);
  if (found) return { kind: 'segment', row, task, index: found.index, segment: found.segment };
  return { kind: 'lane', row, task, t };
}

/**
 * The segment under canvas x. Where segments are narrower than a pixel, the one drawn there (the longest within a few
 * pixels; ties go to the first) is what the user pointed at.
 */
export function segmentNear(task: TaskInfo, scene: Scene, x: number): { index: number; segment: Segment } | null {
  const lane = task.lane;
  const ppm = scene.view.pxPerMs;
  const t = xToTime(scene.view, x - scene.geometry.labelWidth);
  const slack = 2 / ppm;
  let best = -1;
  let bestLength = -1;
  for (let i = lane.firstEndingAtOrAfter(t - slack); i < lane.length; i++) {
    const start = lane.start(i);
    if (start > t + slack) break;
    if (codeCategory(lane.code(i)) === NOT_DRAWN) continue;
    const end = lane.end(i);
    const contains = start <= t && t <= end;
    // A segment that contains the point wins over neighbours that are merely near it, unless it is sub-pixel.
    const length = (end - start) * ppm;
    const score = contains && length >= 1 ? Infinity : length;
    if (score > bestLength) {
      best = i;
      bestLength = score;
    }
  }
  return best < 0 ? null : { index: best, segment: lane.segment(best) };
}

/** Events (sorted by `t`) whose marks are within `radius` pixels of canvas x. */
function eventsNear<E extends { t: number }>(events: readonly E[], scene: Scene, x: number, radius: number): E[] {
  const t0 = xToTime(scene.view, x - radius - scene.geometry.labelWidth);
  const t1 = xToTime(scene.view, x + radius - scene.geometry.labelWidth);
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].t < t0) lo = mid + 1;
    else hi = mid;
  }
  const out: E[] = [];
  for (let i = lo; i < events.length && events[i].t <= t1; i++) out.push(events[i]);
  return out;
}

/** The arrow nearest the point, if one is within `ARROW_HIT_PX`. */
export function arrowNear(scene: Scene, x: number, y: number): Edge | null {
  let best: Edge | null = null;
  let bestDistance = ARROW_HIT_PX;
  forEachArrowLine(scene, (line: ArrowLine) => {
    const d = distanceToSegment(x, y, line.x1, line.y1, line.x2, line.y2);
    if (d <= bestDistance) {
      best = line.edge;
      bestDistance = d;
    }
  });
  return best;
}

export function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  let u = len2 === 0 ? 0 : ((px - x1) * dx + (py - y1) * dy) / len2;
  u = Math.max(0, Math.min(1, u));
  const cx = x1 + u * dx;
  const cy = y1 + u * dy;
  return Math.hypot(px - cx, py - cy);
}

/** The source site a hit leads to (what a click opens), or null when it has none. */
export function siteOfHit(hit: Hit): SourceSite | null {
  switch (hit.kind) {
    case 'axis':
    case 'resource':
      return null;
    case 'label':
      return hit.task.site;
    case 'resourceLabel':
      return hit.resource.site;
    case 'segment':
      return segmentSite(hit.task, hit.index);
    case 'end': {
      const end = hit.task.end;
      if (end?.state === 'cancelled' && end.request?.site) return end.request.site;
      // A failed task's error stack is text; the last await is the best place to go.
      return lastSite(hit.task);
    }
    case 'output':
      return null;
    case 'warning':
      return hit.events.find((w) => w.site)?.site ?? null;
    case 'arrow':
      return hit.edge.kind === 'queue' ? null : hit.edge.site;
    case 'deadlock':
      return hit.arrow.site;
    case 'lane':
      return hit.task.site;
    default: {
      const never: never = hit;
      return never;
    }
  }
}

/**
 * Where a segment leads: a suspension its `await`; a running stretch the `await` it ran up to (or, at the end of the
 * task, the one it resumed from); a pending start where the task was created.
 */
export function segmentSite(task: TaskInfo, index: number): SourceSite | null {
  const lane = task.lane;
  const site = lane.site(index);
  if (site) return site;
  if (lane.state(index) === 'running') {
    const next = index + 1 < lane.length ? lane.site(index + 1) : undefined;
    if (next && lane.state(index + 1) !== 'pending') return next;
    for (let i = index - 1; i >= 0; i--) {
      const before = lane.site(i);
      if (before) return before;
    }
  }
  return task.site;
}

/** The site of the task's last suspension, or its creation site. */
function lastSite(task: TaskInfo): SourceSite | null {
  const lane = task.lane;
  for (let i = lane.length - 1; i >= 0; i--) {
    const site = lane.site(i);
    if (site && lane.state(i) !== 'pending') return site;
  }
  return task.site;
}
