/**
 * What one frame of the timeline shows, as plain data, and the geometry both the renderer and the hit-test use (so
 * what is drawn and what a click finds cannot drift apart). Pure.
 */
import type { WarningEvent } from '../contract/trace';
import type { Edge, TraceModel } from '../model/model';
import type { EdgeIndex } from './edgeIndex';
import type { LaneLayout } from './layout';
import type { TaskMarks } from './session';
import { Viewport, timeToX } from './viewport';

/** Sizes in CSS pixels. */
export interface Geometry {
  /** Whole canvas. */
  width: number;
  height: number;
  /** The sticky label column on the left. */
  labelWidth: number;
  /** The sticky time axis on top. */
  axisHeight: number;
  rowHeight: number;
  /** Vertical scroll of the lanes, in pixels. */
  scrollTop: number;
}

/** Inside a row: the state bar, the output marks above it, the warning marks below it. */
export const ROW_HEIGHT = 24;
export const BAR_TOP = 6;
export const BAR_HEIGHT = 12;
export const AXIS_HEIGHT = 26;
export const INDENT = 12;
/** Half-width of the marks, for drawing and for hit-testing. */
export const OUTPUT_MARK_HALF = 3.5;
export const WARNING_MARK_HALF = 4.5;
export const END_MARK_RADIUS = 4.5;
/** How far from an arrow a pointer still hits it. */
export const ARROW_HIT_PX = 3;

export interface ArrowToggles {
  create: boolean;
  await: boolean;
  cancel: boolean;
  queue: boolean;
  /** A deadlock's wait-for arrows (deadlockArrows.ts). */
  deadlock: boolean;
}

export const ARROW_KINDS = ['create', 'await', 'cancel', 'queue', 'deadlock'] as const;

export const ALL_ARROWS: ArrowToggles = { create: true, await: true, cancel: true, queue: true, deadlock: true };

export interface Scene {
  model: TraceModel;
  layout: LaneLayout;
  view: Viewport;
  geometry: Geometry;
  arrows: ArrowToggles;
  edges: EdgeIndex;
  marks(task: number): TaskMarks | undefined;
  /** Warnings not about one task, marked on the axis. */
  runWarnings: readonly WarningEvent[];
  /** The time cursor, null when there is none. */
  cursor: number | null;
}

export function plotLeft(g: Geometry): number {
  return g.labelWidth;
}

export function plotWidth(g: Geometry): number {
  return Math.max(1, g.width - g.labelWidth);
}

/** Top of row `row` in canvas pixels (may be off-screen). */
export function rowTop(g: Geometry, row: number): number {
  return g.axisHeight + row * g.rowHeight - g.scrollTop;
}

/** The row under canvas y, or -1 above the rows (the axis). May be past the last row. */
export function rowAt(g: Geometry, y: number): number {
  if (y < g.axisHeight) return -1;
  return Math.floor((y - g.axisHeight + g.scrollTop) / g.rowHeight);
}

/** The rows at least partly visible: `[first, last)`. */
export function visibleRows(g: Geometry, rowCount: number): [number, number] {
  const first = Math.max(0, Math.floor(g.scrollTop / g.rowHeight));
  const last = Math.min(rowCount, Math.ceil((g.scrollTop + Math.max(0, g.height - g.axisHeight)) / g.rowHeight));
  return [first, Math.max(first, last)];
}

/** Total height of the lanes plus the axis: what the vertical scrollbar spans. */
export function contentHeight(g: Geometry, rowCount: number): number {
  return g.axisHeight + rowCount * g.rowHeight;
}

/** The largest useful scrollTop. */
export function maxScrollTop(g: Geometry, rowCount: number): number {
  return Math.max(0, contentHeight(g, rowCount) - g.height);
}

/** Canvas x of trace time `t`. */
export function xOf(scene: Scene, t: number): number {
  return scene.geometry.labelWidth + timeToX(scene.view, t);
}

/** One straight piece of an arrow, in canvas pixels; `head` puts an arrowhead at (x2, y2). */
export interface ArrowLine {
  edge: Edge;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  head: boolean;
}

/**
 * Which arrow lines a frame draws: not those wholly left or right of the plot, and of the lines that are vertical
 * once rounded to pixels, one per kind and pixels (ten thousand creations from one parent land on a few hundred).
 * One per frame; `forEachArrowLine` asks it before making a line, so the lines it drops cost next to nothing.
 */
export class ArrowPixels {
  /** Per `x * 4 + kind`: the vertical lines drawn there, by `(y1 + 2) * 16384 + (y2 + 2)`. */
  private readonly drawn = new Map<number, Set<number>>();
  private readonly left: number;
  private readonly right: number;
  private readonly top: number;
  private readonly bottom: number;

  constructor(g: Geometry) {
    this.left = g.labelWidth;
    this.right = g.width;
    // Ends off the plot are drawn a pixel past its edge (the clip hides them), so their lines merge.
    this.top = g.axisHeight - 1;
    this.bottom = g.height + 1;
  }

  /** False when a line from (x1, y1) to (x2, y2) of `kind` need not be drawn: off the plot, or drawn already. */
  first(kind: Edge['kind'], x1: number, y1: number, x2: number, y2: number): boolean {
    const px1 = Math.round(x1);
    const px2 = Math.round(x2);
    if ((px1 < this.left && px2 < this.left) || (px1 > this.right && px2 > this.right)) return false;
    if (px1 !== px2) return true;
    const py1 = Math.round(Math.max(this.top, Math.min(this.bottom, y1)));
    const py2 = Math.round(Math.max(this.top, Math.min(this.bottom, y2)));
    const column = Math.min(8191, Math.max(0, px1)) * 4 + KIND_CODE[kind];
    let seen = this.drawn.get(column);
    if (seen === undefined) {
      seen = new Set();
      this.drawn.set(column, seen);
    }
    const key = (py1 + 2) * 16384 + (py2 + 2);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }
}

const KIND_CODE: Record<Edge['kind'], number> = { create: 0, await: 1, cancel: 2, queue: 3 };

/**
 * Calls `visit` for every piece of every enabled arrow that may be visible: creation and cancellation are vertical at
 * their instant from one lane to the other; an await goes from the waiter to the awaited task when the wait starts,
 * and back to the waiter where it wakes; a queue hand-off goes from the put on the producer's lane to the get on the
 * consumer's. Lanes folded into a collapsed parent use the parent's row; arrows within one row are left out. With
 * `pixels` (drawing), only the lines it says are new to the frame.
 */
export function forEachArrowLine(scene: Scene, visit: (line: ArrowLine) => void, pixels?: ArrowPixels): void {
  const { geometry: g, layout, arrows, edges } = scene;
  const rowOfTask = layout.rowOfTask;
  const left = g.labelWidth;
  const right = g.width;
  const top = g.axisHeight;
  const bottom = g.height;
  const half = g.rowHeight / 2;
  const t0 = scene.view.start - 1 / scene.view.pxPerMs;
  const t1 = scene.view.start + (right - left + 1) / scene.view.pxPerMs;
  const rowOf = (task: number): number => (task < rowOfTask.length ? rowOfTask[task] : -1);
  const yOf = (row: number): number => rowTop(g, row) + half;
  const offScreenVertically = (ya: number, yb: number): boolean =>
    (ya < top && yb < top) || (ya > bottom && yb > bottom);
  const line = (edge: Edge, ta: number, ra: number, tb: number, rb: number): void => {
    const y1 = yOf(ra);
    const y2 = yOf(rb);
    if (offScreenVertically(y1, y2)) return;
    const x1 = xOf(scene, ta);
    const x2 = ta === tb ? x1 : xOf(scene, tb);
    if (pixels !== undefined && !pixels.first(edge.kind, x1, y1, x2, y2)) return;
    visit({ edge, x1, y1, x2, y2, head: true });
  };
  // Each list is read only where it may overlap the view's time range, and only the edges that may cross the rows on
  // screen come here (`forEachNear`; the tests below still decide): rows wholly above `rowLo` or below `rowHi` put
  // both ends of a line off the same edge of the plot.
  const rowLo = Math.floor((g.scrollTop - half) / g.rowHeight) - 1;
  const rowHi = Math.ceil((bottom - top + g.scrollTop - half) / g.rowHeight) + 1;
  if (arrows.create) {
    edges.forEachNear(edges.create, t0, t1, rowOfTask, rowLo, rowHi, (edge, ra, rb) => {
      if (edge.t < t0 || edge.t > t1) return;
      if (ra < 0 || rb < 0 || ra === rb) return;
      line(edge, edge.t, ra, edge.t, rb);
    });
  }
  if (arrows.await) {
    const visitAwait = (edge: Extract<Edge, { kind: 'await' }>, ra: number, rb: number): void => {
      if (edge.end < t0 || edge.start > t1) return;
      if (ra < 0 || rb < 0 || ra === rb) return;
      if (edge.start >= t0) line(edge, edge.start, ra, edge.start, rb);
      if (!edge.open && edge.end <= t1) line(edge, edge.end, rb, edge.end, ra);
    };
    edges.forEachNear(edges.await, t0, t1, rowOfTask, rowLo, rowHi, visitAwait);
    edges.forEachOpenAwait((edge) => visitAwait(edge, rowOf(edge.from), rowOf(edge.to)));
  }
  if (arrows.cancel) {
    edges.forEachNear(edges.cancel, t0, t1, rowOfTask, rowLo, rowHi, (edge, ra, rb) => {
      if (edge.t < t0 || edge.t > t1) return;
      if (ra < 0 || rb < 0 || ra === rb) return;
      line(edge, edge.t, ra, edge.t, rb);
    });
  }
  if (arrows.queue) {
    edges.forEachNear(edges.queue, t0, t1, rowOfTask, rowLo, rowHi, (edge, ra, rb) => {
      if (edge.end < t0 || edge.start > t1) return;
      if (ra < 0 || rb < 0 || ra === rb) return;
      line(edge, edge.start, ra, edge.end, rb);
    });
  }
}
