/**
 * The timeline's picture of blocked-loop warnings (model/blockedLoop.ts): the span each blocking step held the loop,
 * and for each task it delayed, the stretch from when it could have run to when it ran. Pure; memoized per model.
 */
import { BlockedSpan, DelayedTask, blockedSpans } from '../model/blockedLoop';
import type { TraceModel } from '../model/model';

export interface TaskDelay extends DelayedTask {
  span: BlockedSpan;
}

export interface BlockedOverlay {
  spans: BlockedSpan[];
  /** Per delayed task, its delays in time order. */
  delaysByTask: Map<number, TaskDelay[]>;
}

const EMPTY: BlockedOverlay = { spans: [], delaysByTask: new Map() };
const memo = new WeakMap<TraceModel, { events: number; overlay: BlockedOverlay }>();

export function blockedOverlayOf(model: TraceModel): BlockedOverlay {
  const hit = memo.get(model);
  if (hit && hit.events === model.eventCount) return hit.overlay;
  let overlay = EMPTY;
  if (model.warnings.some((w) => w.kind === 'blocked-loop')) {
    const spans = blockedSpans(model);
    const delaysByTask = new Map<number, TaskDelay[]>();
    for (const span of spans) {
      for (const d of span.delayed) {
        const list = delaysByTask.get(d.task) ?? [];
        list.push({ ...d, span });
        delaysByTask.set(d.task, list);
      }
    }
    overlay = { spans, delaysByTask };
  }
  memo.set(model, { events: model.eventCount, overlay });
  return overlay;
}

/** The span whose blocking step is [start, end] of `task` (a running segment), if any. */
export function spanOfStep(overlay: BlockedOverlay, task: number, start: number, end: number): BlockedSpan | undefined {
  return overlay.spans.find((s) => s.task === task && s.start <= end && s.end >= start);
}

/** The delays of `task` that overlap [start, end]. */
export function delaysDuring(overlay: BlockedOverlay, task: number, start: number, end: number): TaskDelay[] {
  return (overlay.delaysByTask.get(task) ?? []).filter((d) => d.readyAt <= end && d.ranAt >= start);
}
