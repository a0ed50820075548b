/**
 * The trace model: task lifecycles, state segments, resources and edges, folded from the trace's events.
 *
 * Pure (no Node or VS Code imports) and shared by the CLI, the extension host and the webview. Task state is derived
 * here and nowhere else: a task's segments (its `lane`, in columns) are its whole history, and `taskStateAt` reads
 * them.
 */
import { SUSPEND_KINDS } from '../contract/wire';
import { LanesJson, MODEL_LANES_FORMAT, MODEL_LANES_VERSION, ModelLanes, TASK_FIELDS, TaskField, isModelLanes } from './modelLanes';
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
  /** Its segments as columns: what the timeline reads. */
  readonly lane: SegmentColumns;
  /** Its segments as objects, made from `lane` when first read (see `SegmentColumns.list`). Read-only. */
  readonly segments: readonly Segment[];
}

/** The model's tasks: a `TaskInfo` whose segments live in columns. */
class TaskRecord implements TaskInfo {
  id: number;
  name: string;
  coroutine?: string;
  parent: number | null;
  children: number[];
  site: SourceSite | null;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  state: TaskState;
  end?: TaskEnd;
  cancelRequests: CancelRequest[];
  readonly lane: SegmentColumns;

  constructor(id: number, name: string, parent: number | null, site: SourceSite | null, createdAt: number, lane: SegmentColumns) {
    this.id = id;
    this.name = name;
    this.parent = parent;
    this.children = [];
    this.site = site;
    this.createdAt = createdAt;
    this.state = 'pending';
    this.cancelRequests = [];
    this.lane = lane;
  }

  get segments(): readonly Segment[] {
    return this.lane.list();
  }

  /** As a plain object, with its segments (for JSON and tests), not its columns. */
  toJSON(): unknown {
    const { lane, ...rest } = this;
    void lane;
    return { ...rest, segments: this.segments };
  }
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
 * The fold, one event at a time, for live runs. `model()` returns a live view: later `add`s grow the objects it
 * returned (tasks, their lanes, the lists), and every task's last segment always ends at the current `endTime`.
 */
export class ModelBuilder {
  private readonly m: TraceModel;
  /** The numbers of every task's lane, and the trace's end (where each lane's last segment ends). */
  private readonly store = new LaneStore();
  /**
   * Tasks by id for small integer ids (all a runtime hands out), beside `taskById`: an array read is much cheaper
   * than a map lookup, and the fold looks a task up for every event.
   */
  private readonly slots: Array<TaskInfo | undefined> = [];
  /** The number the next event folded gets, when a fold takes events out of order (see `foldingAt`); else -1. */
  private pinned = -1;
  /** Per slot id, the segments a lane made for that task has room for (see `expectSegments`). */
  private expected: Int32Array | null = null;
  /** Made by `fromLanes`: the anomalies of the whole trace are listed already, so folding the rest finds none anew. */
  private anomaliesKnown = false;
  /** Lanes being taken over (`takeOver`): their parsed JSON, and how far it has got (task, segment, checked refs). */
  private takeover: {
    lanes: ModelLanes;
    json: LanesJson;
    cancels: Array<CancelRequest[] | undefined>;
    count: number;
    next: number;
    base: number;
    refsChecked: number;
  } | null = null;

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

  /**
   * The builder that folding a finished trace's lifecycle events gives (see src/model/modelLanes.ts), with the other
   * events still to fold (`add`), in order. Throws when `lanes` is inconsistent.
   */
  static fromLanes(header: TraceHeader, lanes: ModelLanes): ModelBuilder {
    const builder = ModelBuilder.takeOver(header, lanes);
    builder.takeOverTasks(Infinity);
    return builder;
  }

  /**
   * A builder that takes `lanes` over a few tasks at a time (`takeOverTasks`), so that a viewer can take a million
   * events' lanes over in short slices: its model has the trace's end, event count and anomalies at once, and the
   * tasks as they are taken over. Nothing may be folded into it before every task is in. Throws when `lanes` is
   * inconsistent (and so may each `takeOverTasks`).
   */
  static takeOver(header: TraceHeader, lanes: ModelLanes): ModelBuilder {
    if (lanes.format !== MODEL_LANES_FORMAT || lanes.version !== MODEL_LANES_VERSION) {
      throw new Error(`unknown model lanes (version ${String(lanes.version)})`);
    }
    if (!isModelLanes(lanes)) throw new Error('model lanes: a column or count is missing');
    const builder = new ModelBuilder(header);
    const m = builder.m;
    const parsed = typeof lanes.json === 'string' ? (JSON.parse(lanes.json) as LanesJson) : lanes.json;
    const count = lanes.tasks.length / TASK_FIELDS;
    if (
      !Number.isInteger(count) ||
      !Array.isArray(parsed?.names) ||
      parsed.names.length !== count ||
      !Array.isArray(parsed.ends) ||
      parsed.ends.length !== count ||
      !Array.isArray(parsed.cancels) ||
      !Array.isArray(parsed.objects) ||
      !Array.isArray(parsed.anomalies)
    ) {
      throw new Error('model lanes: the tasks do not match');
    }
    builder.store.adoptRefs(lanes.refs, parsed.objects, lanes.sleeps);
    const cancels: Array<CancelRequest[] | undefined> = new Array(count);
    for (const entry of parsed.cancels) {
      if (!(Array.isArray(entry) && Number.isInteger(entry[0]) && entry[0] >= 0 && entry[0] < count && Array.isArray(entry[1]))) {
        throw new Error('model lanes: a cancel request of no task');
      }
      cancels[entry[0]] = entry[1];
    }
    m.anomalies.push(...parsed.anomalies);
    builder.anomaliesKnown = true;
    m.eventCount = lanes.events;
    m.endTime = builder.store.endTime = lanes.endTime;
    builder.takeover = { lanes, json: parsed, cancels, count, next: 0, base: 0, refsChecked: 0 };
    builder.takeOverTasks(0);
    return builder;
  }

  /** Takes over the next `max` tasks of the lanes (`takeOver`) at most, in order. Throws when they are inconsistent. */
  takeOverTasks(max: number): void {
    const takeover = this.takeover;
    if (takeover === null) return;
    const { lanes, json, cancels, count } = takeover;
    const { tasks: numbers, segments } = lanes;
    const { names, ends, objects } = json;
    const m = this.m;
    const store = this.store;
    const refCount = lanes.refs.length / 3;
    const object = (k: number): unknown => {
      if (k === -1) return null;
      if (!(Number.isInteger(k) && k >= 0 && k < objects.length)) throw new Error(`model lanes: no object ${k}`);
      return objects[k];
    };
    let base = takeover.base;
    let refsTo = takeover.refsChecked;
    const stop = Math.min(count, takeover.next + max);
    for (let t = takeover.next; t < stop; t++) {
      const f = t * TASK_FIELDS;
      const id = numbers[f + TaskField.id];
      const n = numbers[f + TaskField.segments];
      const state = SEGMENT_STATES[numbers[f + TaskField.state]];
      if (!(Number.isInteger(n) && n >= 0 && base + n * STRIDE <= segments.length)) throw new Error('model lanes: the segments are cut');
      if (state === undefined || m.taskById.has(id)) throw new Error(`model lanes: task ${id} is not one task`);
      // Every ref a segment names must exist: reading one that does not would show a wrong model, not an error.
      for (let at = base + 2, end = base + n * STRIDE; at < end; at += STRIDE) {
        const r = segments[at];
        if (r === -1) continue;
        if (!(Number.isInteger(r) && r >= 0 && r < refCount)) throw new Error(`model lanes: no ref ${r}`);
        if (r >= refsTo) refsTo = r + 1;
      }
      const lane = new SegmentColumns(store, 0);
      lane.adopt(segments, base, n);
      base += n * STRIDE;
      const parent = numbers[f + TaskField.parent];
      const task = new TaskRecord(
        id,
        String(names[t]),
        Number.isNaN(parent) ? null : parent,
        object(numbers[f + TaskField.site]) as SourceSite | null,
        numbers[f + TaskField.createdAt],
        lane,
      );
      const coroutine = numbers[f + TaskField.coroutine];
      if (coroutine !== -1) task.coroutine = String(object(coroutine));
      const startedAt = numbers[f + TaskField.startedAt];
      if (!Number.isNaN(startedAt)) task.startedAt = startedAt;
      task.state = state;
      task.cancelRequests = cancels[t] ?? [];
      const endedAt = numbers[f + TaskField.endedAt];
      if (!Number.isNaN(endedAt)) {
        task.endedAt = endedAt;
        const value = ends[t];
        if (state === 'done') task.end = { state, t: endedAt, result: String(value) };
        else if (state === 'failed') task.end = { state, t: endedAt, error: value as ErrorInfo };
        else if (state === 'cancelled') {
          const end: TaskEnd = { state, t: endedAt, message: value as string | null };
          const request = last(task.cancelRequests);
          if (request) end.request = request;
          task.end = end;
        } else throw new Error(`model lanes: task ${id} ended ${state}`);
      }
      // Its parent's children: as task.created lists them, when the parent was there before it.
      if (task.parent !== null) m.taskById.get(task.parent)?.children.push(id);
      this.register(task);
    }
    // The refs these tasks' segments name (the lanes number them in order, so each is checked once).
    store.checkRefs(takeover.refsChecked, refsTo);
    takeover.refsChecked = refsTo;
    takeover.base = base;
    takeover.next = stop;
    if (stop === count) {
      if (base !== segments.length) throw new Error('model lanes: segments left over');
      this.takeover = null;
    }
  }

  add(event: TraceEvent): void {
    if (event.type === 'task.started') return this.taskStarted(event.t, event.task);
    if (event.type === 'task.suspended') {
      this.taskSuspended(event.t, event.task, event.reason, event.site);
      return;
    }
    if (event.type === 'task.resumed') return this.taskResumed(event.t, event.task, event.cause);
    const m = this.m;
    const index = this.count(event.t);
    switch (event.type) {
      case 'task.created': {
        if (m.taskById.has(event.task)) {
          this.anomaly(event.t, index, `task ${event.task} created twice; the second task.created is ignored`);
          return;
        }
        const task = new TaskRecord(event.task, event.name, event.parent, event.site, event.t, this.newLane(event.task));
        task.lane.push(event.t, 'pending', undefined, event.site);
        if (event.coroutine !== undefined) task.coroutine = event.coroutine;
        this.register(task);
        if (event.parent !== null) {
          const parent = m.taskById.get(event.parent);
          if (parent) parent.children.push(task.id);
          else this.anomaly(event.t, index, `task ${event.task} has unknown parent ${event.parent}`);
        }
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

  /*
   * The three events that make most of a trace, as calls with their fields, so a reader of columnar batches
   * (src/webview/columnFold.ts) folds them without making an event object. `add` folds them the same way.
   */

  /** A `task.started`. */
  taskStarted(t: number, id: number): void {
    const index = this.count(t);
    const task = this.liveTask(id, t, index, 'task.started');
    if (!task) return;
    if (task.startedAt !== undefined) this.anomaly(t, index, `task ${task.id} started twice`);
    else task.startedAt = t;
    task.lane.push(t, 'running');
    task.state = 'running';
  }

  /** A `task.suspended`; returns the index of the segment it opened, or -1 when it was ignored (an anomaly). */
  taskSuspended(t: number, id: number, reason: SuspendReason, site: SourceSite | null): number {
    const index = this.count(t);
    const task = this.liveTask(id, t, index, 'task.suspended');
    if (!task) return -1;
    const state = suspendedState(reason);
    task.state = state;
    return task.lane.push(t, state, reason, site);
  }

  /** A `task.suspended` in `sleep(seconds)` until `until` (the same as `taskSuspended` with that reason). */
  taskSleeping(t: number, id: number, seconds: number, until: number, site: SourceSite | null): void {
    const index = this.count(t);
    const task = this.liveTask(id, t, index, 'task.suspended');
    if (!task) return;
    task.state = 'sleeping';
    task.lane.pushSleep(t, seconds, until, site);
  }

  /** A `task.resumed`. */
  taskResumed(t: number, id: number, cause: WakeCause | undefined): void {
    const index = this.count(t);
    const task = this.liveTask(id, t, index, 'task.resumed');
    if (!task) return;
    const lane = task.lane;
    // The task's state is its last segment's (kept so by every fold step): no read of the lane's columns.
    const state = task.state;
    if (state !== 'sleeping' && state !== 'waiting') {
      this.anomaly(t, index, `task ${task.id} resumed while ${state}`);
    } else if (cause !== undefined) {
      lane.setWake(lane.length - 1, cause);
    }
    lane.push(t, 'running');
    task.state = 'running';
  }

  /**
   * Says how many segments, at most, the events to come give each task not created yet, by id (`counts[id]`, for
   * slot ids): its lane is then made that big, where it would start small and move to a region twice as big each time
   * it fills (a million-event load moved lanes some 50,000 times, 50-90 ms of Chromium's main thread, and left half
   * of the lanes' buffers unused). Only a hint: a lane outgrows it as usual. Replaces the previous hint.
   */
  expectSegments(counts: Int32Array): void {
    this.expected = counts;
  }

  /** Adds a new task to the model's lists (in creation order) and to the slots. */
  private register(task: TaskRecord): void {
    const m = this.m;
    m.tasks.push(task);
    m.taskById.set(task.id, task);
    if (isSlot(task.id)) {
      while (this.slots.length < task.id) this.slots.push(undefined);
      this.slots[task.id] = task;
    }
  }

  private newLane(id: number): SegmentColumns {
    const expected = this.expected;
    const hint = expected !== null && isSlot(id) && id < expected.length ? expected[id] : 0;
    return new SegmentColumns(this.store, Math.max(FIRST_CAPACITY, hint));
  }

  /** The task with `id` if it exists (for a caller that folds around the builder). */
  task(id: number): TaskInfo | undefined {
    return isSlot(id) ? (id < this.slots.length ? this.slots[id] : undefined) : this.m.taskById.get(id);
  }

  /**
   * The model so far. Segments end where the next one starts and the last one at the current `endTime`, so there is
   * nothing to bring up to date: this is the same object every time, and it grows as events are added.
   */
  model(): TraceModel {
    return this.m;
  }

  /**
   * The next event folded (one call: `add`, `taskStarted`, ...) is event number `index` of the trace, not the next
   * number: for a fold that takes the events of a stretch grouped by task (src/webview/columnFold.ts). An anomaly it
   * finds is listed by that number, in order. Once every event of the stretch is folded, the model is the one folding
   * them in order gives.
   */
  foldingAt(index: number): void {
    this.pinned = index;
  }

  /** Counts one event at `t`; returns its index. */
  private count(t: number): number {
    const m = this.m;
    if (t > m.endTime) {
      m.endTime = t;
      this.store.endTime = t;
    }
    const pinned = this.pinned;
    if (pinned >= 0) {
      this.pinned = -1;
      m.eventCount++;
      return pinned;
    }
    return m.eventCount++;
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

  private finish(task: TaskInfo, end: TaskEnd): void {
    task.endedAt = end.t;
    task.end = end;
    task.lane.push(end.t, end.state);
    task.state = end.state;
  }

  private anomaly(t: number, index: number, message: string): void {
    if (this.anomaliesKnown) return;
    const list = this.m.anomalies;
    // In event order (folded out of order, an event may come after a later one's anomaly).
    let at = list.length;
    while (at > 0 && list[at - 1].index > index) at--;
    if (at === list.length) list.push({ t, index, message });
    else list.splice(at, 0, { t, index, message });
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
// The segment store

/** Segment states by code (the low three bits of a segment's code). */
export const SEGMENT_STATES: readonly TaskState[] = [
  'pending',
  'running',
  'ready',
  'sleeping',
  'waiting',
  'done',
  'failed',
  'cancelled',
];

const STATE_CODE: Record<TaskState, number> = {
  pending: 0,
  running: 1,
  ready: 2,
  sleeping: 3,
  waiting: 4,
  done: 5,
  failed: 6,
  cancelled: 7,
};

// A segment's reason kind is coded by its index in the wire's `SUSPEND_KINDS` (the segment's code shifted right by
// three, minus one; 0 there: no reason).
const KIND_CODE = new Map<string, number>(SUSPEND_KINDS.map((kind, i) => [kind, i + 1]));

/** A segment's code: its state, and the kind of its reason when it has one (see `SUSPEND_KINDS`). */
export function segmentCode(state: TaskState, reason?: SuspendReason): number {
  return STATE_CODE[state] | (reason ? (KIND_CODE.get(reason.kind) ?? 0) << 3 : 0);
}

/** The code of a segment sleeping in `sleep(...)`. */
const SLEEP_CODE = STATE_CODE.sleeping | (1 << 3);

/** Every possible segment code is below this. */
export const SEGMENT_CODE_LIMIT = (SUSPEND_KINDS.length + 1) << 3;

export function codeState(code: number): TaskState {
  return SEGMENT_STATES[code & 7];
}

/** The reason kind a code carries, or undefined. */
export function codeReasonKind(code: number): SuspendKind | undefined {
  const k = code >> 3;
  return k === 0 ? undefined : SUSPEND_KINDS[k - 1];
}

/** The first buffer of a `LaneStore`, in numbers; each next one is twice as big, up to `MAX_CHUNK`. */
const FIRST_CHUNK = 1024;
const MAX_CHUNK = 1 << 19;

/**
 * Where the lanes of one model keep their numbers, and the trace's end (where every task's last segment ends). Lanes
 * take regions of a few big buffers rather than a buffer each: a small typed array costs an allocation and the
 * collector's bookkeeping, ten thousand of them while a big trace loads, a hundred thousand for a program of many
 * short tasks. A lane that grows takes a bigger region and leaves its old one unused (at most as much as it uses).
 */
export class LaneStore {
  endTime = 0;
  /** The buffer of the region the last `take` gave, and where the region starts in it. */
  buffer: Float64Array;
  offset = 0;
  private chunk: Float64Array;
  private used = 0;

  constructor() {
    this.chunk = this.buffer = new Float64Array(FIRST_CHUNK);
  }

  /** Takes a region of `size` numbers: `buffer` from `offset` on. */
  take(size: number): void {
    if (size > MAX_CHUNK / 8) {
      this.buffer = new Float64Array(size);
      this.offset = 0;
      return;
    }
    if (this.used + size > this.chunk.length) {
      this.chunk = new Float64Array(Math.min(MAX_CHUNK, this.chunk.length * 2));
      this.used = 0;
    }
    this.buffer = this.chunk;
    this.offset = this.used;
    this.used += size;
  }

  /*
   * What segments refer to, for every lane of the model, appended as segments are: `reason, site, wake` per segment
   * that has a reason or a site (a ref, numbered from 0), in arrays of `REF_CHUNK` refs; and `seconds, until` per sleep
   * folded by `pushSleep` (numbered from 0), in buffers of `SLEEP_CHUNK` sleeps. A lane of its own for each, grown by
   * copying, made a third of the garbage of a big trace's load and a cache miss for every event folded in trace order;
   * appended to one place, a task's refs folded one after the other are neighbours too.
   */
  private readonly refChunks: unknown[][] = [];
  private refs: unknown[] = [];
  private refCount = 0;
  private readonly sleepChunks: Float64Array[] = [];
  private sleepCount = 0;
  /*
   * Refs and sleeps taken over from a finished model's lanes (`adoptRefs`): refs numbered below `refBase` are read from
   * `adopted` (indexes into `objects`, see `ModelLanes.refs`), sleeps below `sleepBase` from `adoptedSleeps`. The ones
   * added later are numbered on from there.
   */
  private refBase = 0;
  private adopted: Int32Array | null = null;
  private objects: unknown[] = [];
  private sleepBase = 0;
  private adoptedSleeps: Float64Array | null = null;

  /**
   * Takes over the refs and sleeps of a finished model's lanes (`ModelLanes.refs`, `objects`, `sleeps`) as refs and
   * sleeps numbered from 0, without making an object per ref: they are read from the columns. Only on a store that has
   * none yet; the store then owns `refs` and `objects` (a wake set later is written into them). The refs are checked
   * as the segments that name them are taken over (`checkRefs`).
   */
  adoptRefs(refs: Int32Array, objects: unknown[], sleeps: Float64Array): void {
    if (this.refCount !== 0 || this.sleepCount !== 0) throw new Error('refs can only be taken over by an empty store');
    if (refs.length % 3 !== 0 || sleeps.length % 2 !== 0) throw new Error('model lanes: the refs are cut');
    this.adopted = refs;
    this.objects = objects;
    this.adoptedSleeps = sleeps;
    this.refCount = this.refBase = refs.length / 3;
    this.sleepCount = this.sleepBase = sleeps.length / 2;
  }

  /** Throws unless the refs taken over numbered `from` to `to` (excluded) name objects and sleeps that are there. */
  checkRefs(from: number, to: number): void {
    const refs = this.adopted;
    if (refs === null) return;
    const objectCount = this.objects.length;
    const sleepCount = this.sleepBase;
    for (let at = from * 3, end = Math.min(to, this.refBase) * 3; at < end; at++) {
      const v = refs[at];
      if (v === -1 || (v >= 0 && v < objectCount && Number.isInteger(v))) continue;
      if (at % 3 === 0 && v <= -2 && -2 - v < sleepCount && Number.isInteger(v)) continue;
      throw new Error(v <= -2 ? `model lanes: no sleep ${-2 - v}` : `model lanes: no object ${v}`);
    }
  }

  /** Appends a ref; returns its number. */
  addRef(reason: unknown, site: SourceSite | null, wake: WakeCause | undefined): number {
    const r = this.refCount++;
    const i = r - this.refBase;
    const at = (i & (REF_CHUNK - 1)) * 3;
    let refs = this.refs;
    // Arrays made at their size (pushed to, they would be copied as they grow): the first starts small (a model of a
    // few segments) and doubles up to `REF_CHUNK` refs, the others are made whole.
    if (at === 0) {
      refs = this.refs = new Array<unknown>(Math.min(REF_CHUNK, Math.max(FIRST_REFS, i)) * 3);
      this.refChunks.push(refs);
    } else if (at >= refs.length) {
      const grown = new Array<unknown>(Math.min(REF_CHUNK * 3, refs.length * 2));
      for (let k = 0; k < at; k++) grown[k] = refs[k];
      this.refs = this.refChunks[this.refChunks.length - 1] = refs = grown;
    }
    refs[at] = reason;
    refs[at + 1] = site;
    refs[at + 2] = wake;
    return r;
  }

  /** Slot `slot` (0 reason, 1 site, 2 wake) of ref `r`. A sleep's reason is the sleep's number. */
  ref(r: number, slot: number): unknown {
    const i = r - this.refBase;
    if (i < 0) {
      const v = this.adopted![r * 3 + slot];
      if (v >= 0) return this.objects[v];
      if (v === -1) return slot === 1 ? null : undefined;
      return -2 - v;
    }
    return this.refChunks[i >>> REF_CHUNK_BITS][(i & (REF_CHUNK - 1)) * 3 + slot];
  }

  setWake(r: number, wake: WakeCause): void {
    const i = r - this.refBase;
    if (i < 0) {
      this.objects.push(wake);
      this.adopted![r * 3 + 2] = this.objects.length - 1;
      return;
    }
    this.refChunks[i >>> REF_CHUNK_BITS][(i & (REF_CHUNK - 1)) * 3 + 2] = wake;
  }

  /** Appends a sleep's `seconds, until`; returns its number. */
  addSleep(seconds: number, until: number): number {
    const k = this.sleepCount++;
    const i = k - this.sleepBase;
    const at = (i & (SLEEP_CHUNK - 1)) * 2;
    if (at === 0) this.sleepChunks.push(new Float64Array(Math.min(SLEEP_CHUNK, Math.max(FIRST_SLEEPS, i)) * 2));
    let chunk = this.sleepChunks[this.sleepChunks.length - 1];
    if (at >= chunk.length) {
      // The first chunk starts small (a model of a few sleeps) and doubles up to `SLEEP_CHUNK` sleeps.
      const grown = new Float64Array(Math.min(SLEEP_CHUNK * 2, chunk.length * 2));
      grown.set(chunk);
      this.sleepChunks[this.sleepChunks.length - 1] = chunk = grown;
    }
    chunk[at] = seconds;
    chunk[at + 1] = until;
    return k;
  }

  /** The seconds (`part` 0) or the deadline (1) of sleep `k`. */
  sleep(k: number, part: number): number {
    const i = k - this.sleepBase;
    if (i < 0) return this.adoptedSleeps![k * 2 + part];
    return this.sleepChunks[i >>> SLEEP_CHUNK_BITS][(i & (SLEEP_CHUNK - 1)) * 2 + part];
  }
}

const REF_CHUNK_BITS = 13;
const REF_CHUNK = 1 << REF_CHUNK_BITS;
const SLEEP_CHUNK_BITS = 14;
const SLEEP_CHUNK = 1 << SLEEP_CHUNK_BITS;
const FIRST_SLEEPS = 64;
const FIRST_REFS = 64;

/** Values per segment in `SegmentColumns.data`. */
export const SEGMENT_STRIDE = 3;
const STRIDE = SEGMENT_STRIDE;
/** Segments a lane has room for at first. */
const FIRST_CAPACITY = 4;

/**
 * A task's segments as columns, interleaved in a region of one of its model's buffers (`LaneStore`): per segment its
 * start, its code (state and reason kind, see `segmentCode`) and the number of its ref in the store (its reason,
 * site and wake cause: suspended and pending segments; -1 for the others). A segment ends where the next starts, the last one at the
 * trace's end. A million segments are then numbers in a few buffers that the garbage collector neither scans nor
 * copies, rather than a million objects to allocate, keep and move. The renderer and the hit-testing read the columns
 * (`data` from `base`); other readers take `Segment` objects from `list()` or `segment(i)`.
 */
export class SegmentColumns {
  length = 0;
  /** `start, code, ref` per segment, from `base`, for `length` segments (then room for `capacity` in all). */
  data: Float64Array;
  base: number;
  private capacity: number;
  /**
   * Keeps the refs: `reason, site, wake` per segment that has a reason or a site. A sleep folded by `pushSleep` has,
   * in place of its reason, the number of its `seconds, until` in the store (most suspensions are sleeps, each with
   * its own deadline: as numbers they are not objects to allocate and collect).
   */
  readonly store: LaneStore;
  /** `list()`'s objects, made on first use and extended as segments are added. */
  private cache: Segment[] | null = null;

  /** `capacity`: the segments there is room for before the lane moves to a bigger region. */
  constructor(store: LaneStore, capacity = FIRST_CAPACITY) {
    this.store = store;
    store.take(capacity * STRIDE);
    this.data = store.buffer;
    this.base = store.offset;
    this.capacity = capacity;
  }

  /**
   * Makes this (empty) lane the `length` segments already in `data` from `base`, whose refs are already in the store
   * (`ModelBuilder.fromLanes`). A segment pushed later moves the lane to a region of its store, as a full lane does.
   */
  adopt(data: Float64Array, base: number, length: number): void {
    this.data = data;
    this.base = base;
    this.length = length;
    this.capacity = length;
  }

  /** The number of the ref of segment `i` in the store (-1: it has none). */
  refOf(i: number): number {
    return this.data[this.base + i * STRIDE + 2];
  }

  /** A lane of `segments` (which must touch end to start), for tests and tools. */
  static of(segments: readonly Segment[]): SegmentColumns {
    const store = new LaneStore();
    const lane = new SegmentColumns(store);
    for (const s of segments) {
      const index = lane.push(s.start, s.state, s.reason, s.site);
      if (s.wake !== undefined) lane.setWake(index, s.wake);
    }
    store.endTime = segments.length > 0 ? segments[segments.length - 1].end : 0;
    return lane;
  }

  /** Moves the lane to a region twice as big. */
  private grow(): void {
    const store = this.store;
    const capacity = Math.max(FIRST_CAPACITY, this.capacity * 2);
    store.take(capacity * STRIDE);
    const data = store.buffer;
    const base = store.offset;
    const old = this.data;
    const oldBase = this.base;
    const n = this.length * STRIDE;
    // Most regions come from the same buffer: one block move, with no view to make (a `subarray` for `set` cost
    // about a microsecond in Chromium, and a load grows lanes some 60,000 times).
    if (data === old) data.copyWithin(base, oldBase, oldBase + n);
    else for (let k = 0; k < n; k++) data[base + k] = old[oldBase + k];
    this.data = data;
    this.base = base;
    this.capacity = capacity;
  }

  /**
   * Appends a segment starting at `start`; returns its index. `reason` and `site` both undefined: the segment has
   * neither (running, terminal); otherwise both are kept (`reason` may be undefined: a pending segment).
   */
  push(start: number, state: TaskState, reason?: SuspendReason, site?: SourceSite | null): number {
    const i = this.length;
    if (i === this.capacity) this.grow();
    const data = this.data;
    const at = this.base + i * STRIDE;
    data[at] = start;
    data[at + 1] = segmentCode(state, reason);
    if (site === undefined && reason === undefined) data[at + 2] = -1;
    else data[at + 2] = this.store.addRef(reason, site ?? null, undefined);
    this.length = i + 1;
    return i;
  }

  /** Appends a sleeping segment (`sleep(seconds)` until `until`); returns its index. The same as `push` with that reason. */
  pushSleep(start: number, seconds: number, until: number, site: SourceSite | null): number {
    const store = this.store;
    const k = store.addSleep(seconds, until);
    const i = this.length;
    if (i === this.capacity) this.grow();
    const data = this.data;
    const at = this.base + i * STRIDE;
    data[at] = start;
    data[at + 1] = SLEEP_CODE;
    data[at + 2] = store.addRef(k, site, undefined);
    this.length = i + 1;
    return i;
  }

  start(i: number): number {
    return this.data[this.base + i * STRIDE];
  }

  end(i: number): number {
    return i + 1 < this.length ? this.data[this.base + (i + 1) * STRIDE] : this.store.endTime;
  }

  code(i: number): number {
    return this.data[this.base + i * STRIDE + 1];
  }

  state(i: number): TaskState {
    return SEGMENT_STATES[this.data[this.base + i * STRIDE + 1] & 7];
  }

  /** The reason of segment `i` (a sleep folded by `pushSleep` gets a new object each call). */
  reason(i: number): SuspendReason | undefined {
    const r = this.data[this.base + i * STRIDE + 2];
    return r < 0 ? undefined : this.reasonAt(r);
  }

  private reasonAt(r: number): SuspendReason | undefined {
    const store = this.store;
    const reason = store.ref(r, 0);
    if (typeof reason !== 'number') return reason as SuspendReason | undefined;
    return { kind: 'sleep', seconds: store.sleep(reason, 0), until: store.sleep(reason, 1) };
  }

  /** Undefined for segments that have no site slot (running, terminal); null for a site the trace did not know. */
  site(i: number): SourceSite | null | undefined {
    const r = this.data[this.base + i * STRIDE + 2];
    return r < 0 ? undefined : (this.store.ref(r, 1) as SourceSite | null);
  }

  wake(i: number): WakeCause | undefined {
    const r = this.data[this.base + i * STRIDE + 2];
    return r < 0 ? undefined : (this.store.ref(r, 2) as WakeCause | undefined);
  }

  /** Records what woke suspended segment `i` (which has a reason, so a place for it). */
  setWake(i: number, wake: WakeCause): void {
    const r = this.data[this.base + i * STRIDE + 2];
    if (r >= 0) this.store.setWake(r, wake);
    if (this.cache !== null && i < this.cache.length) this.cache[i].wake = wake;
  }

  /** Segment `i` as an object (a new one each call). */
  segment(i: number): Segment {
    const data = this.data;
    const at = this.base + i * STRIDE;
    const segment: Segment = { start: data[at], end: this.end(i), state: SEGMENT_STATES[data[at + 1] & 7] };
    const r = data[at + 2];
    if (r >= 0) {
      const reason = this.reasonAt(r);
      if (reason !== undefined) segment.reason = reason;
      segment.site = this.store.ref(r, 1) as SourceSite | null;
      const wake = this.store.ref(r, 2) as WakeCause | undefined;
      if (wake !== undefined) segment.wake = wake;
    }
    return segment;
  }

  /** The last segment, or undefined for none. */
  last(): Segment | undefined {
    return this.length === 0 ? undefined : this.segment(this.length - 1);
  }

  /**
   * Every segment as objects, made once and then extended: later calls make only the segments added since, and
   * bring the last one's end to the trace's current end. Treat them as read-only.
   */
  list(): Segment[] {
    let cache = this.cache;
    if (cache === null) cache = this.cache = [];
    const n = this.length;
    if (cache.length > 0) cache[cache.length - 1].end = this.end(cache.length - 1);
    for (let i = cache.length; i < n; i++) cache.push(this.segment(i));
    return cache;
  }

  /** Index of the first segment that ends at or after `t` (`length` when none does). */
  firstEndingAtOrAfter(t: number): number {
    const n = this.length;
    if (n === 0) return 0;
    // Segment i < n - 1 ends where i + 1 starts: find the first i + 1 whose start is at or after t.
    const data = this.data;
    const base = this.base;
    let lo = 1;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (data[base + mid * STRIDE] < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n) return lo - 1;
    return this.store.endTime >= t ? n - 1 : n;
  }

  /** Index of the last segment starting at or before `t`, or -1 (before the first). */
  indexAt(t: number): number {
    const data = this.data;
    const base = this.base;
    if (this.length === 0 || t < data[base]) return -1;
    let lo = 0;
    let hi = this.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (data[base + mid * STRIDE] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
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
  const i = task.lane.indexAt(t);
  return i < 0 ? undefined : task.lane.state(i);
}

/** The segment in force at `t` (the last one starting at or before `t`), undefined before the task was created. */
export function segmentAt(task: TaskInfo, t: number): Segment | undefined {
  const i = task.lane.indexAt(t);
  return i < 0 ? undefined : task.lane.segment(i);
}

/** The task's last segment (its state at the end of the trace). */
export function lastSegment(task: TaskInfo): Segment | undefined {
  return task.lane.last();
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
    const lane = task.lane;
    for (let i = 0; i < lane.length; i++) {
      const reason = lane.reason(i);
      if (!reason) continue;
      const open = i + 1 === lane.length;
      for (const target of awaitedTasks(reason)) {
        out.push({
          kind: 'await',
          from: task.id,
          to: target,
          start: lane.start(i),
          end: lane.end(i),
          open,
          reason,
          site: lane.site(i) ?? null,
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
