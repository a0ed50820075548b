/**
 * Viewport math for the horizontal (time) axis: zoom around a point, pan, fit the whole run, and follow the live end
 * of a running program. Pure: the view is a value, every operation returns a new one.
 *
 * Modes: `fit` keeps the whole run in view (it is the initial mode and what `0` returns to); `follow` keeps the
 * current zoom and slides so the live end stays at the right edge; `free` stays where the user put it. Zooming or
 * panning picks `follow` when the live end is still in view afterwards, `free` when the user moved away from it.
 */

export type ViewMode = 'fit' | 'follow' | 'free';

export interface Viewport {
  /** Trace time (ms) at the left edge of the plot. */
  start: number;
  pxPerMs: number;
  /** Width of the plot in CSS pixels. */
  width: number;
  mode: ViewMode;
}

/** Shortest span the view fits, so a trace whose events all happen at t = 0 still gets an axis. */
export const MIN_FIT_SPAN_MS = 1;
/** Deepest zoom: one nanosecond per pixel. */
export const MAX_PX_PER_MS = 1e6;
/** Blank margin each side of a fitted run, as a fraction of the plot width. */
export const FIT_MARGIN = 0.01;
/** Where the live end sits when following, as a fraction of the width from the left. */
export const FOLLOW_AT = 0.98;

export function viewEnd(v: Viewport): number {
  return v.start + v.width / v.pxPerMs;
}

export function timeToX(v: Viewport, t: number): number {
  return (t - v.start) * v.pxPerMs;
}

export function xToTime(v: Viewport, x: number): number {
  return v.start + x / v.pxPerMs;
}

/** The view that shows `[0, endTime]` in `width` pixels. */
export function fitView(endTime: number, width: number): Viewport {
  const w = Math.max(1, width);
  const span = Math.max(MIN_FIT_SPAN_MS, endTime);
  const pxPerMs = (w * (1 - 2 * FIT_MARGIN)) / span;
  return { start: -(w * FIT_MARGIN) / pxPerMs, pxPerMs, width: w, mode: 'fit' };
}

/** The least zoom allowed: the whole run in a quarter of the plot. */
function minPxPerMs(endTime: number, width: number): number {
  return (Math.max(1, width) / Math.max(MIN_FIT_SPAN_MS, endTime)) * 0.25;
}

/** Keeps zoom within limits and at least part of the run in view. */
export function clampView(v: Viewport, endTime: number): Viewport {
  const span = Math.max(MIN_FIT_SPAN_MS, endTime);
  const pxPerMs = Math.min(MAX_PX_PER_MS, Math.max(minPxPerMs(endTime, v.width), v.pxPerMs));
  const visible = v.width / pxPerMs;
  // At most half the plot may be blank on either side of the run.
  const start = Math.min(Math.max(v.start, -visible * 0.5), span - visible * 0.5);
  return { ...v, start, pxPerMs };
}

/** After a user move: follow the live end if it is still in view, otherwise stay free. */
function settle(v: Viewport, endTime: number, live: boolean): Viewport {
  const end = viewEnd(v);
  const following = live && end >= endTime && v.start <= endTime;
  return { ...v, mode: following ? 'follow' : 'free' };
}

/** Zooms by `factor` (> 1 zooms in) keeping the time under `anchorX` (CSS px from the plot's left edge) in place. */
export function zoomAt(v: Viewport, factor: number, anchorX: number, endTime: number, live = false): Viewport {
  const anchorT = xToTime(v, anchorX);
  const pxPerMs = v.pxPerMs * factor;
  const zoomed = clampView({ ...v, pxPerMs, start: anchorT - anchorX / pxPerMs }, endTime);
  // If the clamp changed the zoom, keep the anchor where it was.
  const kept = { ...zoomed, start: anchorT - anchorX / zoomed.pxPerMs };
  return settle(clampView(kept, endTime), endTime, live);
}

/** Pans by `dx` CSS pixels (positive moves the view later in time). */
export function panBy(v: Viewport, dx: number, endTime: number, live = false): Viewport {
  return settle(clampView({ ...v, start: v.start + dx / v.pxPerMs }, endTime), endTime, live);
}

/** Shows `[t0, t1]` (a segment the keyboard moved to, say) if it is not already in view, keeping the zoom if it fits. */
export function reveal(v: Viewport, t0: number, t1: number, endTime: number, live = false): Viewport {
  const end = viewEnd(v);
  if (t0 >= v.start && t1 <= end) return v;
  const visible = v.width / v.pxPerMs;
  let next: Viewport;
  if (t1 - t0 > visible * 0.9) {
    const pxPerMs = (v.width * 0.9) / Math.max(t1 - t0, 1e-6);
    next = { ...v, pxPerMs, start: t0 - (v.width * 0.05) / pxPerMs };
  } else {
    const center = (t0 + t1) / 2;
    next = { ...v, start: center - visible / 2 };
  }
  return settle(clampView(next, endTime), endTime, live);
}

/** Jumps to the live end (the `End` key) and follows it. */
export function toEnd(v: Viewport, endTime: number): Viewport {
  const visible = v.width / v.pxPerMs;
  return { ...clampView({ ...v, start: endTime - visible * FOLLOW_AT }, endTime), mode: 'follow' };
}

/** Jumps to the start (the `Home` key). */
export function toStart(v: Viewport, endTime: number, live = false): Viewport {
  const visible = v.width / v.pxPerMs;
  return settle(clampView({ ...v, start: -visible * FIT_MARGIN }, endTime), endTime, live);
}

/**
 * The view after the run grew to `endTime` (or the plot was resized to `width`): `fit` refits, `follow` slides so the
 * live end stays in view at the same zoom, `free` only takes the new width.
 */
export function track(v: Viewport, endTime: number, width: number = v.width): Viewport {
  switch (v.mode) {
    case 'fit':
      return fitView(endTime, width);
    case 'follow': {
      const resized = { ...v, width: Math.max(1, width) };
      const visible = resized.width / resized.pxPerMs;
      if (endTime <= viewEnd(resized) && endTime >= resized.start + visible * 0.5) return resized;
      const start = endTime - visible * FOLLOW_AT;
      return { ...resized, start: Math.max(start, -visible * FIT_MARGIN) };
    }
    case 'free':
      return { ...v, width: Math.max(1, width) };
  }
}
