/**
 * Sub-pixel aggregation: turns a lane's segments into runs of whole pixels, one category per pixel, so the renderer
 * draws at most about one rectangle per pixel column however many segments a lane has. A pixel shows the category
 * that covers most of it; a pixel that only holds zero-length moments (everything a virtual clock does within one
 * instant) shows the most active of them (`CATEGORY_PRIORITY`). Reads a lane's columns (`SegmentColumns`), not
 * segment objects. Pure: works in any pixel unit (the renderer passes device pixels so edges stay sharp on high-DPI
 * screens).
 */
import { SEGMENT_STRIDE, Segment, SegmentColumns } from '../model/model';
import { CATEGORY_COUNT, CATEGORY_PRIORITY, NOT_DRAWN, codeCategory } from './categories';

/** Maps time to pixels: `x = (t - start) * pxPerMs`. */
export interface PixelScale {
  start: number;
  pxPerMs: number;
}

/** Receives runs in increasing x, each `[x0, x1)` in whole pixels, adjacent runs of one category already merged. */
export type RunSink = (x0: number, x1: number, category: number) => void;

/** Weight of a zero-length moment: far below any real coverage, ordered by priority so ties resolve to the most active. */
const MOMENT_WEIGHT: Float64Array = (() => {
  const w = new Float64Array(CATEGORY_COUNT);
  CATEGORY_PRIORITY.forEach((c, rank) => (w[c] = 1e-9 * (CATEGORY_COUNT - rank)));
  return w;
})();
/** Tie-break bonus so equal coverage resolves by priority too. */
const TIE_BONUS: Float64Array = MOMENT_WEIGHT.map((w) => w * 1e-3);

/** Index of the first segment that ends at or after `t` (segments are ordered and touch end to start). */
export function firstSegmentEndingAfter(segments: readonly Segment[], t: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].end < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Emits the pixel runs of the segments of `lane` between pixels `xMin` and `xMax` (whole numbers). `categoryOf` maps a
 * segment's code to its category (default `codeCategory`); segments it maps to `NOT_DRAWN` (the terminal ones) leave
 * their pixels empty.
 */
export function aggregateSegments(
  lane: SegmentColumns,
  scale: PixelScale,
  xMin: number,
  xMax: number,
  emit: RunSink,
  categoryOf: (code: number) => number = codeCategory,
): void {
  const n = lane.length;
  if (n === 0 || xMax <= xMin) return;
  const { start, pxPerMs } = scale;
  const tMin = start + xMin / pxPerMs;
  const tMax = start + xMax / pxPerMs;
  const coverage = new Float64Array(CATEGORY_COUNT);
  let pixel = Number.NaN; // the pixel whose coverage is being collected
  let any = false;
  // The run being built, emitted when a pixel of another category (or a gap) follows.
  let runStart = 0;
  let runEnd = 0;
  let runCategory = -1;

  const pushRun = (x0: number, x1: number, category: number): void => {
    if (category === runCategory && x0 === runEnd) {
      runEnd = x1;
      return;
    }
    if (runCategory >= 0) emit(runStart, runEnd, runCategory);
    runStart = x0;
    runEnd = x1;
    runCategory = category;
  };
  const flushPixel = (): void => {
    if (!any) return;
    let best = -1;
    let bestValue = 0;
    for (let c = 0; c < CATEGORY_COUNT; c++) {
      const v = coverage[c];
      if (v > 0) {
        const scored = v + TIE_BONUS[c];
        if (best < 0 || scored > bestValue) {
          best = c;
          bestValue = scored;
        }
      }
      coverage[c] = 0;
    }
    any = false;
    if (best >= 0) pushRun(pixel, pixel + 1, best);
  };
  const add = (p: number, category: number, amount: number): void => {
    if (p !== pixel) {
      flushPixel();
      pixel = p;
    }
    coverage[category] += amount;
    any = true;
  };

  // `start, code, ref` per segment from `base` (see `SegmentColumns.data`).
  const data = lane.data;
  const base = lane.base;
  for (let i = lane.firstEndingAtOrAfter(tMin); i < n; i++) {
    const segmentStart = data[base + i * SEGMENT_STRIDE];
    if (segmentStart > tMax) break;
    const category = categoryOf(data[base + i * SEGMENT_STRIDE + 1]);
    if (category === NOT_DRAWN) continue;
    let xs = (segmentStart - start) * pxPerMs;
    let xe = (lane.end(i) - start) * pxPerMs;
    if (xe < xMin || xs > xMax) continue;
    if (xs < xMin) xs = xMin;
    if (xe > xMax) xe = xMax;
    if (xe <= xs) {
      // A moment: counts for its pixel, below any real coverage. On a pixel boundary it belongs to the pixel that
      // ends there (like the end of a segment), so the instant steps after a sleep do not spill past it.
      add(Math.min(Math.max(xMin, Math.ceil(xs) - 1), xMax - 1), category, MOMENT_WEIGHT[category]);
      continue;
    }
    const ps = Math.floor(xs);
    const pe = Math.ceil(xe) - 1; // the pixel holding the end (an end on a boundary belongs to the pixel before)
    if (ps === pe) {
      add(ps, category, xe - xs);
      continue;
    }
    add(ps, category, ps + 1 - xs);
    flushPixel();
    if (pe > ps + 1) pushRun(ps + 1, pe, category);
    add(pe, category, xe - pe);
  }
  flushPixel();
  if (runCategory >= 0) emit(runStart, runEnd, runCategory);
}
