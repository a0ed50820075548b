/**
 * The trace model: task lifecycles, state segments, resources and edges, folded from the trace's events.
 *
 * Pure (no Node or VS Code imports) and shared by the CLI, the extension host and the webview. Task state is derived
 * here and nowhere else: a task's `segments` are its whole history, and `taskStateAt` reads them.
 */
import {
  ErrorInfo,
  OutputEvent,
  QueueGetEvent,
  QueuePutEvent,
  ResourceAcquiredEvent,
  ResourceCreatedEvent,
  ResourceKind,
  ResourceReleasedEvent,
  ResourceSignalledEvent,
  RunFinishedEvent,
  SourceSite,
  SuspendKind,
  SuspendReason,
  TraceEvent,
  TraceHeader,
  WakeCause,
  WarningEvent,
  assertNever,
} from '../contract/trace';

/**
 * What a task is doing. `ready` (woken but not yet running) cannot be seen in the events, so the model never produces
 * it; it is part of the type so views can share one palette with a future runtime that records it.
 */
export type TaskState = 'pending' | 'running' | 'ready' | 'sleeping' | 'waiting' | 'done' | 'failed' | 'cancelled';

/** Every state, in the order views list them (live states first, then the three ends). */
export const TASK_STATES: readonly TaskState[] = [
  'running',
  'ready',
  'pending',
  'sleeping',
  'waiting',
  'cancelled',
  'failed',
  'done',
];

export type TerminalState = 'done' | 'failed' | 'cancelled';

export function isTerminal(state: TaskState): state is TerminalState {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

/**
 * One contiguous interval of a task's life in one state. Segments of a task are ordered, touch end to start, and may
 * have zero length (everything that happens within one loop turn on a virtual clock does). The last segment of every
 * task ends at the trace's `endTime`; after `task.done`/`failed`/`cancelled` it is the terminal state.
 */
export interface Segment {
  start: number;
  end: number;
  state: TaskState;
  /** Sleeping/waiting: what the task waits for. */
  reason?: SuspendReason;
  /** Sleeping/waiting: the `await` where it stopped. Pending: where the task was created. */
  site?: SourceSite | null;
  /** Sleeping/waiting: what woke it, when the `task.resumed` said so. */
  wake?: WakeCause;
}

export interface CancelRequest {
  t: number;
  by: number | null;
  message: string | null;
  site: SourceSite | null;
}

/** How a task ended. */
export type TaskEnd =
  | { state: 'done'; t: number; result: string }
  | { state: 'failed'; t: number; error: ErrorInfo }
  | {
      state: 'cancelled';
      t: number;
      message: string | null;
      /** The last `cancel()` before the end, when there was one (who called it and where). */
      request?: CancelRequest;
    };

export interface TaskInfo {
  id: number;
  name: string;
  /** The coroutine function's name, when it has one. */
  coroutine?: string;
  parent: number | null;
  /** Ids of the tasks it created, in creation order. */
  children: number[];
  /** Where it was created. */
  site: SourceSite | null;
  createdAt: number;
  /** Missing: it never ran. */
  startedAt?: number;
  /** Missing: it had not ended when the trace ended. */
  endedAt?: number;
  /** The state at the end of the trace (the last segment's). */
  state: TaskState;
  end?: TaskEnd;
  cancelRequests: CancelRequest[];
  segments: Segment[];
}

export type ResourceEvent =
  | QueuePutEvent
  | QueueGetEvent
  | ResourceAcquiredEvent
  | ResourceReleasedEvent
  | ResourceSignalledEvent;

export interface ResourceInfo {
  id: number;
  kind: ResourceKind;
  name: string;
  site: SourceSite | null;
  capacity?: number;
  createdAt: number;
  /** Everything that happened to it, in trace order. */
  events: ResourceEvent[];
}

/** Something in the events that does not fit the contract's lifecycle rules; the event was skipped or patched. */
export interface TraceAnomaly {
  t: number;
  /** Index of the event in the events passed in. */
  index: number;
  message: string;
}

export interface TraceModel {
  header: TraceHeader;
  /** Tasks in creation order. */
  tasks: TaskInfo[];
  taskById: Map<number, TaskInfo>;
  /** Resources in creation order. */
  resources: ResourceInfo[];
  resourceById: Map<number, ResourceInfo>;
  /** What the program printed, in order, with the task that printed it. */
  output: OutputEvent[];
  warnings: WarningEvent[];
  anomalies: TraceAnomaly[];
  /** The last event's `t`, 0 for no events. */
  endTime: number;
  /** Missing when the trace was truncated (or the run is still going). */
  runFinished: RunFinishedEvent | null;
  /** Events folded so far. */
  eventCount: number;
}

/** Folds a whole trace. */
export function buildModel(header: TraceHeader, events: readonly TraceEvent[]): TraceModel {
  const builder = new ModelBuilder(header);
  for (const event of events) builder.add(event);
  return builder.model();
}

/**
 * The fold, one event at a time, for live runs. `model()` returns a live view: later `add`s mutate the objects it
 * returned, so call `model()` again after adding to have the last segments end at the new `endTime`.
 */
export class ModelBuilder {
  private readonly m: TraceModel;
  /**
   * Tasks by id for small integer ids (all a runtime hands out), beside `taskById`: an array read is much cheaper
   * than a map lookup, and the fold looks a task up for every event.
   */
  private readonly slots: Array<TaskInfo | undefined> = [];

  constructor(header: TraceHeader) {
    this.m = {
      header,
      tasks: [],
      taskById: new Map(),
      resources: [],
      resourceById: new Map(),
      output: [],
      warnings: [],
      anomalies: [],
      endTime: 0,
      runFinished: null,
      eventCount: 0,
    };
  }

  add(event: TraceEvent): void {
    const m = this.m;
    const index = m.eventCount++;
    if (event.t > m.endTime) m.endTime = event.t;
    switch (event.type) {
      case 'task.created': {
        if (m.taskById.has(event.task)) {
          this.anomaly(event.t, index, `task ${event.task} created twice; the second task.created is ignored`);
          return;
        }
        const task: TaskInfo = {
          id: event.task,
          name: event.name,
          parent: event.parent,
          children: [],
          site: event.site,
          createdAt: event.t,
          state: 'pending',
          cancelRequests: [],
          segments: [{ start: event.t, end: event.t, state: 'pending', site: event.site }],
        };
        if (event.coroutine !== undefined) task.coroutine = event.coroutine;
        m.tasks.push(task);
        m.taskById.set(task.id, task);
        if (isSlot(task.id)) {
          while (this.slots.length < task.id) this.slots.push(undefined);
          this.slots[task.id] = task;
        }
        if (event.parent !== null) {
          const parent = m.taskById.get(event.parent);
          if (parent) parent.children.push(task.id);
          else this.anomaly(event.t, index, `task ${event.task} has unknown parent ${event.parent}`);
        }
        return;
      }
      case 'task.started': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        if (task.startedAt !== undefined) this.anomaly(event.t, index, `task ${task.id} started twice`);
        else task.startedAt = event.t;
        this.enter(task, event.t, { start: event.t, end: event.t, state: 'running' });
        return;
      }
      case 'task.suspended': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        const state = suspendedState(event.reason);
        this.enter(task, event.t, { start: event.t, end: event.t, state, reason: event.reason, site: event.site });
        return;
      }
      case 'task.resumed': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        const current = last(task.segments);
        if (current.state !== 'sleeping' && current.state !== 'waiting') {
          this.anomaly(event.t, index, `task ${task.id} resumed while ${current.state}`);
        } else if (event.cause !== undefined) {
          current.wake = event.cause;
        }
        this.enter(task, event.t, { start: event.t, end: event.t, state: 'running' });
        return;
      }
      case 'task.cancelRequested': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        task.cancelRequests.push({ t: event.t, by: event.by, message: event.message, site: event.site });
        return;
      }
      case 'task.done': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        this.finish(task, { state: 'done', t: event.t, result: event.result });
        return;
      }
      case 'task.failed': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        this.finish(task, { state: 'failed', t: event.t, error: event.error });
        return;
      }
      case 'task.cancelled': {
        const task = this.liveTask(event.task, event.t, index, event.type);
        if (!task) return;
        const end: TaskEnd = { state: 'cancelled', t: event.t, message: event.message };
        const request = last(task.cancelRequests);
        if (request) end.request = request;
        this.finish(task, end);
        return;
      }
      case 'resource.created': {
        if (m.resourceById.has(event.resource)) {
          this.anomaly(event.t, index, `resource ${event.resource} created twice; the second is ignored`);
          return;
        }
        const resource = resourceFrom(event);
        m.resources.push(resource);
        m.resourceById.set(resource.id, resource);
        return;
      }
      case 'queue.put':
      case 'queue.get':
      case 'resource.acquired':
      case 'resource.released':
      case 'resource.signalled': {
        const resource = m.resourceById.get(event.resource);
        if (!resource) {
          this.anomaly(event.t, index, `${event.type} on unknown resource ${event.resource}`);
          return;
        }
        resource.events.push(event);
        return;
      }
      case 'output':
        m.output.push(event);
        return;
      case 'warning':
        m.warnings.push(event);
        return;
      case 'run.finished':
        m.runFinished = event;
        return;
      default:
        assertNever(event, 'trace event');
    }
  }

  /** The model so far; every task's last segment is made to end at the current `endTime`. */
  model(): TraceModel {
    const m = this.m;
    for (const task of m.tasks) {
      last(task.segments).end = m.endTime;
      task.state = last(task.segments).state;
    }
    return m;
  }

  private liveTask(id: number, t: number, index: number, type: string): TaskInfo | undefined {
    const task = isSlot(id) ? (id < this.slots.length ? this.slots[id] : undefined) : this.m.taskById.get(id);
    if (!task) {
      this.anomaly(t, index, `${type} for unknown task ${id}`);
      return undefined;
    }
    if (task.endedAt !== undefined) {
      this.anomaly(t, index, `${type} for task ${id} after it ended`);
      return undefined;
    }
    return task;
  }

  /** Closes the current segment at `t` and opens `next`. */
  private enter(task: TaskInfo, t: number, next: Segment): void {
    last(task.segments).end = t;
    task.segments.push(next);
    task.state = next.state;
  }

  private finish(task: TaskInfo, end: TaskEnd): void {
    task.endedAt = end.t;
    task.end = end;
    this.enter(task, end.t, { start: end.t, end: end.t, state: end.state });
  }

  private anomaly(t: number, index: number, message: string): void {
    this.m.anomalies.push({ t, index, message });
  }
}

/** Ids kept in slot arrays beside a map by id (small non-negative integers: dense enough there). */
export function isSlot(id: number): boolean {
  return id >= 0 && id < SLOT_LIMIT && (id | 0) === id;
}

const SLOT_LIMIT = 1 << 20;

function resourceFrom(event: ResourceCreatedEvent): ResourceInfo {
  const resource: ResourceInfo = {
    id: event.resource,
    kind: event.kind,
    name: event.name,
    site: event.site,
    createdAt: event.t,
    events: [],
  };
  if (event.capacity !== undefined) resource.capacity = event.capacity;
  return resource;
}

/** Sleeping for `sleep`, waiting for everything else. */
export function suspendedState(reason: SuspendReason): 'sleeping' | 'waiting' {
  const kind: SuspendKind = reason.kind;
  switch (kind) {
    case 'sleep':
      return 'sleeping';
    case 'task':
    case 'gather':
    case 'wait':
    case 'asCompleted':
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
    case 'future':
    case 'external':
      return 'waiting';
    default:
      return assertNever(kind, 'suspend reason kind');
  }
}

/** The tasks a suspended task waits for (empty for reasons that are not tasks). */
export function awaitedTasks(reason: SuspendReason): readonly number[] {
  switch (reason.kind) {
    case 'task':
      return [reason.target];
    case 'gather':
    case 'wait':
    case 'asCompleted':
      return reason.targets;
    case 'sleep':
    case 'queue.get':
    case 'queue.put':
    case 'queue.join':
    case 'lock':
    case 'semaphore':
    case 'event':
    case 'condition':
    case 'future':
    case 'external':
      return [];
    default:
      return assertNever(reason, 'suspend reason');
  }
}

function last<T>(items: readonly T[]): T {
  return items[items.length - 1];
}

// ---------------------------------------------------------------------------------------------------------------------
// Queries

/**
 * The task's state at `t`: the state after every event at or before `t`. Undefined for an unknown task or a time
 * before it was created.
 */
export function taskStateAt(model: TraceModel, taskId: number, t: number): TaskState | undefined {
  const task = model.taskById.get(taskId);
  if (!task) return undefined;
  const segment = segmentAt(task, t);
  return segment?.state;
}

/** The segment in force at `t` (the last one starting at or before `t`), undefined before the task was created. */
export function segmentAt(task: TaskInfo, t: number): Segment | undefined {
  const segments = task.segments;
  if (segments.length === 0 || t < segments[0].start) return undefined;
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].start <= t) lo = mid;
    else hi = mid - 1;
  }
  return segments[lo];
}

/** How many tasks are in each state at `t` (tasks not yet created are not counted). */
export function statesAt(model: TraceModel, t: number): Record<TaskState, number> {
  const counts = emptyStateCounts();
  for (const task of model.tasks) {
    const state = taskStateAt(model, task.id, t);
    if (state !== undefined) counts[state]++;
  }
  return counts;
}

/** How many tasks ended (or were left) in each state at the end of the trace. */
export function finalStates(model: TraceModel): Record<TaskState, number> {
  const counts = emptyStateCounts();
  for (const task of model.tasks) counts[task.state]++;
  return counts;
}

function emptyStateCounts(): Record<TaskState, number> {
  return { pending: 0, running: 0, ready: 0, sleeping: 0, waiting: 0, done: 0, failed: 0, cancelled: 0 };
}

// ---------------------------------------------------------------------------------------------------------------------
// Edges

/** A parent created a child. */
export interface CreateEdge {
  kind: 'create';
  from: number;
  to: number;
  t: number;
  site: SourceSite | null;
}

/** A task waited for another (`await task`, or one target of `gather`/`wait`/`asCompleted`) from `start` to `end`. */
export interface AwaitEdge {
  kind: 'await';
  from: number;
  to: number;
  start: number;
  /** When the wait ended (the waiter resumed, or ended without resuming), or the trace's end. */
  end: number;
  /** True when the waiter was still waiting at the end of the trace. */
  open: boolean;
  reason: SuspendReason;
  site: SourceSite | null;
}

/** A task called `cancel()` on another. */
export interface CancelEdge {
  kind: 'cancel';
  from: number;
  to: number;
  t: number;
  message: string | null;
  site: SourceSite | null;
}

/** An item went through a queue from the task that put it to the task that got it. */
export interface QueueEdge {
  kind: 'queue';
  from: number;
  to: number;
  /** When it was put. */
  start: number;
  /** When it was got. */
  end: number;
  resource: number;
  seq: number;
  item: string;
}

export type Edge = CreateEdge | AwaitEdge | CancelEdge | QueueEdge;

/** Start time of an edge, for sorting and drawing. */
export function edgeStart(edge: Edge): number {
  switch (edge.kind) {
    case 'create':
    case 'cancel':
      return edge.t;
    case 'await':
    case 'queue':
      return edge.start;
    default:
      return assertNever(edge, 'edge');
  }
}

/**
 * Every edge between two tasks, ordered by start time (ties: create, await, cancel, queue, then creation order).
 * Edges with a `null` end (code outside any task: the main task's missing parent, a `cancel()` or `put()` from a plain
 * callback) are left out; the task's own fields still record them.
 */
export function edges(model: TraceModel): Edge[] {
  const out: Edge[] = [];
  for (const task of model.tasks) {
    if (task.parent !== null && model.taskById.has(task.parent)) {
      out.push({ kind: 'create', from: task.parent, to: task.id, t: task.createdAt, site: task.site });
    }
  }
  for (const task of model.tasks) {
    const segments = task.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (!segment.reason) continue;
      const open = i + 1 === segments.length;
      for (const target of awaitedTasks(segment.reason)) {
        out.push({
          kind: 'await',
          from: task.id,
          to: target,
          start: segment.start,
          end: segment.end,
          open,
          reason: segment.reason,
          site: segment.site ?? null,
        });
      }
    }
  }
  for (const task of model.tasks) {
    for (const request of task.cancelRequests) {
      if (request.by === null) continue;
      out.push({ kind: 'cancel', from: request.by, to: task.id, t: request.t, message: request.message, site: request.site });
    }
  }
  for (const resource of model.resources) {
    const puts = new Map<number, QueuePutEvent>();
    for (const event of resource.events) {
      if (event.type === 'queue.put') puts.set(event.seq, event);
      else if (event.type === 'queue.get') {
        const put = puts.get(event.seq);
        if (!put) continue;
        puts.delete(event.seq);
        if (put.task === null || event.task === null) continue;
        out.push({
          kind: 'queue',
          from: put.task,
          to: event.task,
          start: put.t,
          end: event.t,
          resource: resource.id,
          seq: event.seq,
          item: event.item,
        });
      }
    }
  }
  // Array.prototype.sort is stable, so ties keep the order above.
  return out.sort((a, b) => edgeStart(a) - edgeStart(b));
}
