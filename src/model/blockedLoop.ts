/**
 * What a blocked loop cost: for each `blocked-loop` warning, the span during which one task's step held the loop
 * (from the step's start to its end) and the tasks it delayed. Pure, over the model; the timeline shades the spans
 * and marks the delays.
 *
 * A task was delayed when it could have run during the span but only ran after it:
 * - it was created (pending, so ready at once) before the span ended and took its first step after it;
 * - its `sleep` was due before the span ended and it woke after it (a timer cannot fire while the loop is blocked);
 * - the blocking task woke it (set an event it waited for, put into its queue, cancelled it, ...) and it ran after the
 *   span but before the blocking task's next step (so the wake came from the blocking step, not a later one). Waiting
 *   for the blocking task itself to finish does not count: that wake comes when the step ends, not during it.
 * Tasks waiting on anything else (another task, I/O) were not ready, so they were not delayed.
 */
import type { WarningEvent } from '../contract/trace';
import type { Segment, TaskInfo, TraceModel } from './model';

export interface DelayedTask {
  task: number;
  /** When it could first have run (within the span, or at its start). */
  readyAt: number;
  /** When it ran (its next step started), at or after the span's end. */
  ranAt: number;
}

export interface BlockedSpan {
  /** The task whose step blocked the loop. */
  task: number;
  start: number;
  end: number;
  warning: WarningEvent;
  /** In the order they ran. */
  delayed: DelayedTask[];
}

/** The spans of the trace's blocked-loop warnings, in time order. */
export function blockedSpans(model: TraceModel): BlockedSpan[] {
  const spans: BlockedSpan[] = [];
  for (const warning of model.warnings) {
    if (warning.kind !== 'blocked-loop' || warning.task === undefined) continue;
    const blocker = model.taskById.get(warning.task);
    if (!blocker) continue;
    const step = blockingStep(blocker, warning);
    if (!step) continue;
    spans.push({ task: blocker.id, ...step, warning, delayed: delayedTasks(model, blocker.id, step.start, step.end) });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * The blocking step: the task's running stretch that ended when the warning was recorded (the runtime records it at
 * the step's end). If the events of that step were lost, the warning's own "(from X ms)".
 */
function blockingStep(task: TaskInfo, warning: WarningEvent): { start: number; end: number } | undefined {
  let best: Segment | undefined;
  for (const seg of task.segments) {
    if (seg.state !== 'running' || seg.start > warning.t) continue;
    if (!best || Math.abs(seg.end - warning.t) < Math.abs(best.end - warning.t)) best = seg;
  }
  if (best && Math.abs(best.end - warning.t) < 1e-6 + 0.001 * warning.t) return { start: best.start, end: best.end };
  const from = /\(from ([\d.]+) ms\)/.exec(warning.message);
  if (from && Number(from[1]) < warning.t) return { start: Number(from[1]), end: warning.t };
  return undefined;
}

/** The tasks other than `blocker` that were ready during [start, end] and only ran at or after `end`. */
export function delayedTasks(model: TraceModel, blocker: number, start: number, end: number): DelayedTask[] {
  const delayed: DelayedTask[] = [];
  const next = model.taskById.get(blocker)?.segments.find((s) => s.state === 'running' && s.start >= end)?.start ?? Infinity;
  for (const task of model.tasks) {
    if (task.id === blocker || task.createdAt >= end) continue;
    for (const seg of segmentsAround(task.segments, end)) {
      const readyAt = readyTime(seg, blocker, start, end, next);
      if (readyAt !== undefined) {
        delayed.push({ task: task.id, readyAt, ranAt: seg.end });
        break;
      }
    }
  }
  return delayed.sort((a, b) => a.ranAt - b.ranAt || a.task - b.task);
}

/** The task's segments that started before `end` and ended at or after it (at most one, but ties are kept). */
function segmentsAround(segments: readonly Segment[], end: number): Segment[] {
  // Segments are in time order: find the first one ending at or after `end`.
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].end < end) lo = mid + 1;
    else hi = mid;
  }
  const out: Segment[] = [];
  for (let i = lo; i < segments.length && segments[i].start < end; i++) out.push(segments[i]);
  return out;
}

/** When a segment that spans the end of the blocked step became ready to run, or undefined if it did not. */
function readyTime(seg: Segment, blocker: number, start: number, end: number, blockerNext: number): number | undefined {
  switch (seg.state) {
    case 'pending':
      return Math.max(seg.start, start);
    case 'sleeping':
    case 'waiting': {
      const reason = seg.reason;
      if (reason?.kind === 'sleep' && reason.until < end) return Math.max(reason.until, seg.start, start);
      const awaitsBlocker =
        (reason?.kind === 'task' && reason.target === blocker) ||
        ((reason?.kind === 'gather' || reason?.kind === 'wait' || reason?.kind === 'asCompleted') && reason.targets.includes(blocker));
      if (seg.wake?.by === blocker && !awaitsBlocker && seg.end <= blockerNext) return Math.max(seg.start, start);
      return undefined;
    }
    default:
      return undefined;
  }
}
