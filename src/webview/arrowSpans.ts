/**
 * Vertical arrow lines drawn as pixel-aligned rectangles, neighbours merged. Creations and awaits are vertical (one
 * instant, two lanes); zoomed out, thousands of them land on neighbouring pixel columns (ten thousand children
 * created by one task, a gather of them all), and a canvas rasterises each as a long antialiased line: most of a
 * frame's time in the browser. Snapped to device pixels, lines between the same two ends in touching columns make one
 * rectangle, and their arrowheads (the same triangle moved sideways) one polygon, the convex hull of the first and the
 * last: the same pixels the lines cover, give or take the antialiasing at their edges. Pure.
 */

/** One merged run of vertical lines: `left`…`right` (CSS pixels, on device-pixel edges) from `y1` to `y2`. */
export interface ArrowSpan {
  left: number;
  right: number;
  /** The centres of the span's first and last line (the same for one line). */
  firstX: number;
  lastX: number;
  /** Where the lines start and end (the head is at `y2`). */
  y1: number;
  y2: number;
  /** Whether the lines have a head at `y2`. */
  head: boolean;
}

/** The lines of one (y1, y2, head): the left edges of their columns, device pixels. */
interface ColumnGroup {
  y1: number;
  y2: number;
  head: boolean;
  lefts: number[];
}

export class ArrowSpans {
  /** By `y1`, then `y2`: the columns with a head at `y2` and those without. */
  private readonly groups = new Map<number, Map<number, [ColumnGroup | null, ColumnGroup | null]>>();

  /**
   * `dpr`: device pixels per CSS pixel. `lineWidth`: of the lines, CSS pixels (a line is at least a device pixel
   * wide, as the canvas would show it).
   */
  constructor(
    private readonly dpr: number,
    private readonly lineWidth = 1,
  ) {}

  /** A vertical line at `x` from `y1` to `y2` (a head at `y2` when `head`). */
  add(x: number, y1: number, y2: number, head: boolean): void {
    let byEnd = this.groups.get(y1);
    if (byEnd === undefined) {
      byEnd = new Map();
      this.groups.set(y1, byEnd);
    }
    let pair = byEnd.get(y2);
    if (pair === undefined) {
      pair = [null, null];
      byEnd.set(y2, pair);
    }
    const slot = head ? 1 : 0;
    let group = pair[slot];
    if (group === null) group = pair[slot] = { y1, y2, head, lefts: [] };
    group.lefts.push(Math.round((x - this.lineWidth / 2) * this.dpr));
  }

  /** The merged spans: columns of one (y1, y2, head) that touch or overlap make one. */
  spans(): ArrowSpan[] {
    const out: ArrowSpan[] = [];
    const width = Math.max(1, Math.round(this.lineWidth * this.dpr));
    const dpr = this.dpr;
    const merge = ({ y1, y2, head, lefts }: ColumnGroup): void => {
      if (lefts.length > 1) lefts.sort((a, b) => a - b);
      let left = lefts[0];
      let right = left + width;
      for (let i = 1; i <= lefts.length; i++) {
        if (i < lefts.length && lefts[i] <= right) {
          right = Math.max(right, lefts[i] + width);
          continue;
        }
        out.push({ left: left / dpr, right: right / dpr, firstX: (left + width / 2) / dpr, lastX: (right - width / 2) / dpr, y1, y2, head });
        if (i < lefts.length) {
          left = lefts[i];
          right = left + width;
        }
      }
    };
    for (const byEnd of this.groups.values()) {
      for (const [without, withHead] of byEnd.values()) {
        if (without !== null) merge(without);
        if (withHead !== null) merge(withHead);
      }
    }
    return out;
  }
}

/**
 * The arrowhead of a line from (x1, y1) to (x2, y2) as three points, tip first: it stops `inset` short of the end
 * (at the edge of a bar rather than in its middle) and is `size` long. The renderer's heads and the spans' share it.
 */
export function arrowHead(x1: number, y1: number, x2: number, y2: number, inset: number, size: number): number[] {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const hx = x2 - Math.cos(angle) * inset;
  const hy = y2 - Math.sin(angle) * inset;
  return [
    hx,
    hy,
    hx - size * Math.cos(angle - 0.45),
    hy - size * Math.sin(angle - 0.45),
    hx - size * Math.cos(angle + 0.45),
    hy - size * Math.sin(angle + 0.45),
  ];
}

/**
 * The heads of a span's lines together: the convex hull of the heads of its first and last line (the heads between
 * are the same triangle moved along the line between them, so the hull is exactly their union). Points as x, y pairs,
 * counter-clockwise in canvas coordinates.
 */
export function spanHead(span: ArrowSpan, inset: number, size: number): number[] {
  const { firstX: a, lastX: b, y1, y2 } = span;
  if (a === b) return arrowHead(a, y1, a, y2, inset, size);
  return convexHull([...arrowHead(a, y1, a, y2, inset, size), ...arrowHead(b, y1, b, y2, inset, size)]);
}

/** The convex hull of points given as x, y pairs (Andrew's monotone chain), as x, y pairs. */
export function convexHull(xy: readonly number[]): number[] {
  const points: Array<[number, number]> = [];
  for (let i = 0; i + 1 < xy.length; i += 2) points.push([xy[i], xy[i + 1]]);
  points.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (points.length < 3) return points.flat();
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Array<[number, number]> = [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return [...lower, ...upper].flat();
}
