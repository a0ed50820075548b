/**
 * Export to the Chrome trace-event JSON format, which Perfetto (ui.perfetto.dev) and chrome://tracing open.
 *
 * One thread track per task (pid 1, tid = task id, ordered by creation), a complete slice for every running, pending
 * and suspended interval (the suspend reason is the slice name), instants for ends, cancel requests, output and
 * warnings, and flow arrows for the model's edges. Times are microseconds.
 */
import { SourceSite, assertNever } from '../contract/trace';
import { Edge, Segment, TaskInfo, TaskState, TraceModel, edges } from './model';
import { baseName, describeReason, taskName } from './summary';

/** One entry of `traceEvents`; only the fields this exporter writes. */
export interface ChromeTraceEvent {
  name: string;
  /** M metadata, X complete slice, i instant, s/f flow start/finish. */
  ph: 'M' | 'X' | 'i' | 's' | 'f';
  pid: number;
  tid: number;
  /** Microseconds. */
  ts?: number;
  /** Microseconds, complete slices only. */
  dur?: number;
  cat?: string;
  /** Instant scope: thread, process, global. */
  s?: 't' | 'p' | 'g';
  /** Flow id, shared by the `s` and `f` of one arrow. */
  id?: number;
  /** Flow finish binds to the slice enclosing its timestamp. */
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

const PID = 1;
/** Track for things that happened outside any task (output from a plain callback, task-less warnings). */
const NO_TASK_TID = 0;

export function toChromeTrace(model: TraceModel): ChromeTrace {
  const out: ChromeTraceEvent[] = [];
  const program = baseName(model.header.program);
  out.push({ name: 'process_name', ph: 'M', pid: PID, tid: NO_TASK_TID, args: { name: `coroutine-trace: ${program}` } });
  model.tasks.forEach((task, index) => {
    out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: task.id, args: { name: task.name } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: task.id, args: { sort_index: index + 1 } });
  });
  const needsNoTaskTrack =
    model.output.some((o) => o.task === null) || model.warnings.some((w) => w.task === undefined);
  if (needsNoTaskTrack) {
    out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: NO_TASK_TID, args: { name: '(outside tasks)' } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: NO_TASK_TID, args: { sort_index: 0 } });
  }

  for (const task of model.tasks) {
    for (const segment of task.segments) {
      const slice = segmentSlice(model, task, segment);
      if (slice) out.push(slice);
    }
    for (const request of task.cancelRequests) {
      const args: Record<string, unknown> = { by: request.by === null ? null : taskName(model, request.by) };
      if (request.message !== null) args.message = request.message;
      if (request.site) args.site = siteArg(request.site);
      out.push(instant('cancel requested', 'cancel', task.id, request.t, args));
    }
    const end = task.end;
    if (end) {
      switch (end.state) {
        case 'done':
          out.push(instant('done', 'end', task.id, end.t, { result: end.result }));
          break;
        case 'failed': {
          const args: Record<string, unknown> = { error: `${end.error.name}: ${end.error.message}` };
          if (end.error.stack !== undefined) args.stack = end.error.stack;
          out.push(instant('failed', 'end', task.id, end.t, args));
          break;
        }
        case 'cancelled':
          out.push(instant('cancelled', 'end', task.id, end.t, end.message === null ? {} : { message: end.message }));
          break;
        default:
          assertNever(end, 'task end');
      }
    }
  }

  for (const o of model.output) {
    const tid = o.task ?? NO_TASK_TID;
    out.push(instant(o.stream, 'output', tid, o.t, { text: o.text }));
  }
  for (const w of model.warnings) {
    const args: Record<string, unknown> = { message: w.message };
    if (w.site) args.site = siteArg(w.site);
    out.push(instant(`warning: ${w.kind}`, 'warning', w.task ?? NO_TASK_TID, w.t, args));
  }

  let flowId = 0;
  for (const edge of edges(model)) {
    const [from, to] = flowEnds(model, edge);
    flowId++;
    out.push({ name: edge.kind, cat: 'flow', ph: 's', pid: PID, tid: edge.from, ts: micros(from), id: flowId });
    out.push({ name: edge.kind, cat: 'flow', ph: 'f', bp: 'e', pid: PID, tid: edge.to, ts: micros(to), id: flowId });
  }

  return {
    traceEvents: out,
    displayTimeUnit: 'ms',
    otherData: {
      program: model.header.program,
      clock: model.header.clock,
      startedAt: model.header.startedAt,
      schemaVersion: model.header.version,
    },
  };
}

function segmentSlice(model: TraceModel, task: TaskInfo, segment: Segment): ChromeTraceEvent | undefined {
  const base = { ph: 'X' as const, pid: PID, tid: task.id, ts: micros(segment.start), dur: duration(segment) };
  const state: TaskState = segment.state;
  switch (state) {
    case 'pending':
    case 'running':
    case 'ready': {
      const args: Record<string, unknown> = {};
      if (segment.site) args.site = siteArg(segment.site);
      return { ...base, name: state, cat: state, args };
    }
    case 'sleeping':
    case 'waiting': {
      const args: Record<string, unknown> = {};
      if (segment.site) args.site = siteArg(segment.site);
      if (segment.wake) {
        args.wokenBy = segment.wake.by === undefined ? segment.wake.kind : `${segment.wake.kind} (${taskName(model, segment.wake.by)})`;
      }
      const name = segment.reason ? describeReason(model, segment.reason) : state;
      return { ...base, name, cat: state, args };
    }
    case 'done':
    case 'failed':
    case 'cancelled':
      // Ends are instants; the track stays empty after them.
      return undefined;
    default:
      return assertNever(state, 'task state');
  }
}

/**
 * Where an arrow leaves and lands (ms). An await arrow leaves the waiter where it suspended and lands on the target
 * when it ended (clamped into the wait, for a target that had already ended or never did).
 */
function flowEnds(model: TraceModel, edge: Edge): [number, number] {
  switch (edge.kind) {
    case 'create':
    case 'cancel':
      return [edge.t, edge.t];
    case 'await': {
      const targetEnd = model.taskById.get(edge.to)?.endedAt ?? edge.end;
      return [edge.start, Math.min(edge.end, Math.max(edge.start, targetEnd))];
    }
    case 'queue':
      return [edge.start, edge.end];
    default:
      return assertNever(edge, 'edge');
  }
}

function instant(name: string, cat: string, tid: number, t: number, args: Record<string, unknown>): ChromeTraceEvent {
  return { name, cat, ph: 'i', s: tid === NO_TASK_TID ? 'g' : 't', pid: PID, tid, ts: micros(t), args };
}

/** Milliseconds to microseconds, kept to nanoseconds so float noise does not show. */
function micros(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

function duration(segment: Segment): number {
  return Math.max(0, Math.round((micros(segment.end) - micros(segment.start)) * 1e3) / 1e3);
}

/** `file:line:col`, the file as recorded (absolute), so tools can open it. */
function siteArg(site: SourceSite): string {
  return `${site.file}:${site.line}:${site.column}`;
}
