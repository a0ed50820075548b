/**
 * The time axis: which ticks to draw for a visible time range, and how to label them in readable units (µs, ms, s)
 * that adapt to the zoom. Pure.
 */

export interface Tick {
  /** Trace time in milliseconds. */
  t: number;
  label: string;
}

export interface AxisTicks {
  /** Distance between ticks, in milliseconds (1, 2 or 5 times a power of ten). */
  step: number;
  unit: TimeUnit;
  ticks: Tick[];
}

export type TimeUnit = 'µs' | 'ms' | 's';

const UNIT_MS: Record<TimeUnit, number> = { 'µs': 0.001, ms: 1, s: 1000 };

/** The smallest step the axis uses (1 ns); the viewport does not zoom further than this makes sense. */
export const MIN_STEP_MS = 1e-6;

/** The smallest 1/2/5 × 10^k step (in ms) that is at least `minStep`. */
export function niceStep(minStep: number): number {
  if (!(minStep > MIN_STEP_MS)) return MIN_STEP_MS;
  const power = Math.pow(10, Math.floor(Math.log10(minStep)));
  for (const m of [1, 2, 5, 10]) {
    const step = m * power;
    // Tolerate float noise: 0.30000000000000004 is 0.3.
    if (step >= minStep * (1 - 1e-9)) return step;
  }
  return 10 * power;
}

/** The unit the labels use for a step: seconds from 100 ms, milliseconds from 100 µs, microseconds below. */
export function unitForStep(step: number): TimeUnit {
  if (step >= 100 - 1e-9) return 's';
  if (step >= 0.1 - 1e-12) return 'ms';
  return 'µs';
}

/** Decimals needed to tell ticks `step` apart in `unit`. */
export function decimalsFor(step: number, unit: TimeUnit): number {
  const inUnit = step / UNIT_MS[unit];
  if (inUnit >= 1 - 1e-9) return 0;
  return Math.min(9, Math.ceil(-Math.log10(inUnit) - 1e-9));
}

export function formatTick(t: number, step: number, unit: TimeUnit = unitForStep(step)): string {
  const value = t / UNIT_MS[unit];
  const decimals = decimalsFor(step, unit);
  const text = value.toFixed(decimals);
  // Zero is `0 s` whatever the precision (and never `-0`).
  if (/^-?0(\.0*)?$/.test(text)) return `0 ${unit}`;
  return `${text} ${unit}`;
}

/**
 * Ticks for the visible range `[t0, t1]` at `pxPerMs`, at least `minSpacingPx` apart (the labels' room). Ticks are
 * multiples of the step, so they stay put while panning.
 */
export function axisTicks(t0: number, t1: number, pxPerMs: number, minSpacingPx = 90): AxisTicks {
  const step = niceStep(minSpacingPx / pxPerMs);
  const unit = unitForStep(step);
  const ticks: Tick[] = [];
  if (!(t1 > t0) || !Number.isFinite(step)) return { step, unit, ticks };
  const first = Math.ceil(t0 / step - 1e-9);
  const last = Math.floor(t1 / step + 1e-9);
  // A guard against a degenerate range: never more ticks than pixels allow.
  const maxTicks = Math.ceil(((t1 - t0) * pxPerMs) / Math.max(1, minSpacingPx)) + 2;
  for (let i = first; i <= last && ticks.length < maxTicks; i++) {
    const t = i * step;
    ticks.push({ t, label: formatTick(t, step, unit) });
  }
  return { step, unit, ticks };
}
