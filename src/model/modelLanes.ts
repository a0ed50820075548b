/**
 * A finished trace's tasks and lanes as the model already holds them, for a viewer that would otherwise fold every
 * event again. Folding a million events is most of what showing a big trace costs the timeline (0.7-1 s of the page's
 * main thread); the model of a finished trace is already folded where the trace was read (the extension host, the
 * `report` command), and its lanes are a few columns of numbers. So a finished trace travels as:
 *
 * - `ModelLanes`: every task's numbers as a column (`TASK_FIELDS` per task) and its other fields (name, how it ended,
 *   cancel requests) in a little JSON; its segments (the lanes' columns as they are, `start, code, ref` per segment,
 *   lanes one after the other); the refs' suspend reasons, sites and wake causes (each distinct one once, in a JSON
 *   table, the refs as indexes into it) and the sleeps' `seconds, until` as numbers;
 * - the events that are not about a task's life (`isLifecycleEvent`: resources, queue operations, output, warnings,
 *   `run.finished`), as a batch the viewer folds as usual.
 *
 * `ModelBuilder.fromLanes` makes the builder that folding the whole trace gives, with those events still to fold; it
 * folds them as it would have (tests fold both ways and compare). Taking lanes over costs about what reading them
 * does: the refs stay indexes into the table until read (`LaneStore.adoptRefs`), and the JSON holds no object per
 * task (a JSON object per task, with its site and its end, took 45 ms of a million-event trace's load to parse). Only
 * for a finished trace: a live one grows, and is folded event by event. Pure.
 */
import type { CancelRequest, TaskInfo, TraceAnomaly, TraceModel } from './model';
import { SEGMENT_STATES } from './model';
import type { TraceEvent } from '../contract/trace';

export const MODEL_LANES_FORMAT = 'coroutine-trace-model-lanes';
export const MODEL_LANES_VERSION = 2;

/**
 * Numbers per task in `ModelLanes.tasks`, at these offsets. `parent`, `startedAt` and `endedAt` are NaN when missing
 * (null, never ran, has not ended); `site` and `coroutine` are indexes into `LanesJson.objects` or -1; `state` is the
 * index of the task's state in `SEGMENT_STATES`; `segments` the number of its segments.
 */
export const TASK_FIELDS = 9;
export const TaskField = {
  id: 0,
  parent: 1,
  site: 2,
  createdAt: 3,
  startedAt: 4,
  endedAt: 5,
  state: 6,
  segments: 7,
  coroutine: 8,
} as const;

export interface ModelLanes {
  format: typeof MODEL_LANES_FORMAT;
  version: number;
  /** The lifecycle events these lanes fold (the model's event count before the other events are folded). */
  events: number;
  /** The trace's end (`TraceModel.endTime`). */
  endTime: number;
  /** `LanesJson` as JSON text (cheap to post), or parsed already (the report's page reads it with the rest). */
  json: string | LanesJson;
  /** `TASK_FIELDS` numbers per task, in the model's order (creation order). */
  tasks: Float64Array;
  /** `start, code, ref` per segment: the tasks' lanes one after the other, in the order of `tasks`. */
  segments: Float64Array;
  /**
   * `reason, site, wake` per ref, in the order the segments number them: an index into `LanesJson.objects`, or -1 for
   * undefined (reason, wake) or null (site); a sleep's reason is `-2 - k`, its `seconds, until` at `sleeps[2k]`.
   * Whole numbers that fit in 32 bits: half the bytes doubles would take (5 of the 31 MB of a million events' lanes).
   */
  refs: Int32Array;
  /** `seconds, until` per sleep. */
  sleeps: Float64Array;
}

/**
 * What of the tasks is not a number. A task's children are not carried: they are the tasks after it that name it as
 * their parent, in order (what the fold lists). A task that ended ended at its `endedAt` in its state, and a cancelled
 * task's last cancel request is the one its end names.
 */
export interface LanesJson {
  /** Per task, its name. */
  names: string[];
  /**
   * Per task, what its end carries besides its state and time: a done task's result, a failed one's error, a cancelled
   * one's message; 0 for a task that has not ended.
   */
  ends: unknown[];
  /** `[index of the task, its cancel requests]` for each task that has any. */
  cancels: Array<[number, CancelRequest[]]>;
  /** The suspend reasons, sites and wake causes the refs point at, and the tasks' sites and coroutine names. */
  objects: unknown[];
  anomalies: TraceAnomaly[];
}

/** The event types `ModelLanes` stands for: every other event travels beside them. */
export function isLifecycleEvent(event: TraceEvent): boolean {
  return event.type.startsWith('task.');
}

/**
 * The tasks and lanes of `model`, which is finished (nothing more will be folded into it), to travel with the
 * trace's `otherEvents` events that are not lifecycle events.
 */
export function encodeModelLanes(model: TraceModel, otherEvents: number): ModelLanes & { json: string } {
  const encoder = new LanesEncoder(model, otherEvents);
  while (!encoder.step(Infinity));
  return encoder.result!;
}

/**
 * Encodes a finished model's lanes a few tasks at a time (`step`), so a host can do it in slices between other work:
 * a million events' lanes take 0.3-0.9 s. What it encodes is the model as it was when the encoder was made (its tasks,
 * their segments, its end and event count), even if events are folded into it meanwhile.
 */
export class LanesEncoder {
  /** The lanes, once `step` has said it is done. */
  result: (ModelLanes & { json: string }) | undefined;
  // Counted first (`counting`), so each column is made once at its size: big arrays made and dropped bring on full
  // collections, which walk everything the host holds.
  private counting = true;
  private task = 0;
  private segmentCount = 0;
  private refTotal = 0;
  private sleepTotal = 0;
  private segments = new Float64Array(0);
  private refs = new Int32Array(0);
  private sleeps = new Float64Array(0);
  private taskColumn = new Float64Array(0);
  private refCount = 0;
  private sleepCount = 0;
  private at = 0;
  private readonly objects: unknown[] = [];
  private readonly index = new ObjectIndex(this.objects);
  // Per slot (reason, site, wake, the task's site), the last object met and its index: the fold shares objects (sites,
  // the reasons of one batch) and a task's refs repeat, so most lookups stop here.
  private readonly lastObject: unknown[] = [undefined, undefined, undefined, undefined];
  private readonly lastIndex = [-1, -1, -1, -1];
  private readonly json: LanesJson;
  /** The model as it was when the encoder was made: its tasks, their numbers of segments, its end and its count. */
  private readonly tasks: readonly TaskInfo[];
  private readonly lengths: Int32Array;
  private readonly states: Int8Array;
  private readonly started: Float64Array;
  private readonly ends: Array<TaskInfo['end']>;
  private readonly cancels: Int32Array;
  /** Each task's last segment's wake cause (the only one a later `task.resumed` could set). */
  private readonly lastWakes: unknown[];
  private readonly endTime: number;
  private readonly events: number;

  constructor(model: TraceModel, otherEvents: number) {
    const tasks = (this.tasks = model.tasks.slice());
    this.lengths = new Int32Array(tasks.length);
    this.states = new Int8Array(tasks.length);
    this.started = new Float64Array(tasks.length);
    this.ends = new Array(tasks.length);
    this.cancels = new Int32Array(tasks.length);
    this.lastWakes = new Array(tasks.length);
    for (let t = 0; t < tasks.length; t++) {
      const task = tasks[t];
      this.lengths[t] = task.lane.length;
      if (task.lane.length > 0) this.lastWakes[t] = task.lane.wake(task.lane.length - 1);
      this.states[t] = SEGMENT_STATES.indexOf(task.state);
      this.started[t] = task.startedAt ?? NaN;
      this.ends[t] = task.end;
      this.cancels[t] = task.cancelRequests.length;
    }
    this.endTime = model.endTime;
    this.events = model.eventCount - otherEvents;
    this.json = { names: [], ends: [], cancels: [], objects: this.objects, anomalies: model.anomalies.slice() };
  }

  /** Encodes about `maxSegments` more segments' worth (whole tasks, at least one); true once `result` is there. */
  step(maxSegments: number): boolean {
    if (this.result !== undefined) return true;
    const tasks = this.tasks;
    let budget = Math.max(1, maxSegments);
    while (budget > 0 && this.task < tasks.length) {
      const n = this.lengths[this.task];
      if (this.counting) this.count(tasks[this.task].lane, n);
      else this.fill(tasks[this.task], this.task, n);
      budget -= n + 1;
      this.task++;
    }
    if (this.task < tasks.length) return false;
    if (this.counting) {
      this.counting = false;
      this.task = 0;
      this.segments = new Float64Array(this.segmentCount * 3);
      this.refs = new Int32Array(this.refTotal * 3);
      this.sleeps = new Float64Array(this.sleepTotal * 2);
      this.taskColumn = new Float64Array(tasks.length * TASK_FIELDS);
      return tasks.length === 0 ? this.step(0) : false;
    }
    this.result = {
      format: MODEL_LANES_FORMAT,
      version: MODEL_LANES_VERSION,
      events: this.events,
      endTime: this.endTime,
      json: JSON.stringify(this.json),
      tasks: this.taskColumn,
      segments: this.segments,
      refs: this.refs,
      sleeps: this.sleeps,
    };
    return true;
  }

  private count(lane: TaskInfo['lane'], n: number): void {
    this.segmentCount += n;
    for (let i = 0; i < n; i++) {
      const r = lane.refOf(i);
      if (r < 0) continue;
      this.refTotal++;
      const reason = lane.store.ref(r, 0);
      if (typeof reason === 'number' || sleepReason(reason) !== undefined) this.sleepTotal++;
    }
  }

  private intern(value: unknown, slot: number): number {
    if (value === undefined || value === null) return -1;
    if (value === this.lastObject[slot]) return this.lastIndex[slot];
    const i = this.index.of(value as Record<string, unknown>);
    this.lastObject[slot] = value;
    this.lastIndex[slot] = i;
    return i;
  }

  private fill(task: TaskInfo, t: number, n: number): void {
    const { segments, refs, sleeps } = this;
    const lane = task.lane;
    const store = lane.store;
    let at = this.at;
    const last = n - 1;
    for (let i = 0; i < n; i++) {
      const r = lane.refOf(i);
      segments[at] = lane.start(i);
      segments[at + 1] = lane.code(i);
      if (r < 0) segments[at + 2] = -1;
      else {
        const reason = store.ref(r, 0);
        let reasonIndex: number;
        // A sleep's reason (each with its own deadline) goes as numbers, whether the fold kept it so or as an object.
        const sleep = typeof reason === 'number' ? reason : sleepReason(reason);
        if (sleep !== undefined) {
          const k = this.sleepCount++;
          sleeps[k * 2] = typeof sleep === 'number' ? store.sleep(sleep, 0) : sleep.seconds;
          sleeps[k * 2 + 1] = typeof sleep === 'number' ? store.sleep(sleep, 1) : sleep.until;
          reasonIndex = -2 - k;
        } else reasonIndex = this.intern(reason, 0);
        const ref = this.refCount++;
        refs[ref * 3] = reasonIndex;
        refs[ref * 3 + 1] = this.intern(store.ref(r, 1), 1);
        refs[ref * 3 + 2] = this.intern(i === last ? this.lastWakes[t] : store.ref(r, 2), 2);
        segments[at + 2] = ref;
      }
      at += 3;
    }
    this.at = at;
    const k = t * TASK_FIELDS;
    const column = this.taskColumn;
    column[k + TaskField.id] = task.id;
    column[k + TaskField.parent] = task.parent ?? NaN;
    column[k + TaskField.site] = this.intern(task.site, 3);
    column[k + TaskField.createdAt] = task.createdAt;
    const end = this.ends[t];
    column[k + TaskField.startedAt] = this.started[t];
    column[k + TaskField.endedAt] = end?.t ?? NaN;
    column[k + TaskField.state] = this.states[t];
    column[k + TaskField.segments] = n;
    column[k + TaskField.coroutine] = task.coroutine === undefined ? -1 : this.index.ofString(task.coroutine);
    this.json.names.push(task.name);
    this.json.ends.push(endValue(end));
    const cancels = this.cancels[t];
    if (cancels > 0) this.json.cancels.push([t, task.cancelRequests.slice(0, cancels)]);
  }
}

/** What `LanesJson.ends` carries for a task that ended so (or has not ended). */
function endValue(end: TaskInfo['end']): unknown {
  if (end === undefined) return 0;
  if (end.state === 'done') return end.result;
  if (end.state === 'failed') return end.error;
  return end.message;
}

/**
 * Numbers equal objects the same: sites, reasons and wake causes, which the model does not share when it was folded
 * from parsed events (each has its own). The common shapes are looked up by numbers (strings built per object, or
 * JSON.stringify, made so much garbage in a heap holding a million events that the collector took most of a second);
 * anything else by its JSON.
 */
class ObjectIndex {
  private readonly sites = new Map<string, Map<number, number>>();
  /** Per kind, `{kind, target}` / `{kind, by}` / `{kind, resource}` by the number, and `{kind}`. */
  private readonly byTarget = new Map<string, Map<number, number>>();
  private readonly byBy = new Map<string, Map<number, number>>();
  private readonly byResource = new Map<string, Map<number, number>>();
  private readonly byKind = new Map<string, number>();
  private readonly byJson = new Map<string, number>();
  private readonly strings = new Map<string, number>();

  constructor(private readonly objects: unknown[]) {}

  ofString(text: string): number {
    let i = this.strings.get(text);
    if (i === undefined) this.strings.set(text, (i = this.add(text)));
    return i;
  }

  of(v: Record<string, unknown>): number {
    let keys = 0;
    for (const key in v) {
      void key;
      keys++;
    }
    const kind = v.kind;
    if (keys === 3 && typeof v.file === 'string' && isSmall(v.line) && isSmall(v.column)) {
      return this.inMap(this.sites, v.file, (v.line as number) * 65536 + (v.column as number), v);
    }
    if (typeof kind === 'string') {
      if (keys === 1) {
        let i = this.byKind.get(kind);
        if (i === undefined) this.byKind.set(kind, (i = this.add(v)));
        return i;
      }
      if (keys === 2 && isId(v.target)) return this.inMap(this.byTarget, kind, v.target as number, v);
      if (keys === 2 && isId(v.by)) return this.inMap(this.byBy, kind, v.by as number, v);
      if (keys === 2 && isId(v.resource)) return this.inMap(this.byResource, kind, v.resource as number, v);
    }
    const text = JSON.stringify(v);
    let i = this.byJson.get(text);
    if (i === undefined) this.byJson.set(text, (i = this.add(v)));
    return i;
  }

  private inMap(maps: Map<string, Map<number, number>>, name: string, key: number, v: unknown): number {
    let map = maps.get(name);
    if (map === undefined) maps.set(name, (map = new Map()));
    let i = map.get(key);
    if (i === undefined) map.set(key, (i = this.add(v)));
    return i;
  }

  private add(v: unknown): number {
    this.objects.push(v);
    return this.objects.length - 1;
  }
}

/** A line or column that fits the sites' numeric key. */
function isSmall(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 16384;
}

/** A task or resource id kept as a number key (a small integer). */
function isId(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 2 ** 30;
}

/** A `sleep` reason with just its two numbers (what a sleep read back as numbers gives), else undefined. */
function sleepReason(reason: unknown): { seconds: number; until: number } | undefined {
  const r = reason as { kind?: unknown; seconds?: unknown; until?: unknown } | undefined;
  if (r === undefined || r === null || r.kind !== 'sleep' || typeof r.seconds !== 'number' || typeof r.until !== 'number') {
    return undefined;
  }
  let keys = 0;
  for (const key in r) keys++;
  return keys === 3 ? (r as { seconds: number; until: number }) : undefined;
}

/** True for a value that looks like `ModelLanes` (its arrays and counts; `fromLanes` checks the rest). */
export function isModelLanes(value: unknown): value is ModelLanes {
  const v = value as Partial<ModelLanes> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.format === MODEL_LANES_FORMAT &&
    (typeof v.json === 'string' || (typeof v.json === 'object' && v.json !== null)) &&
    Number.isInteger(v.events) &&
    typeof v.endTime === 'number' &&
    v.tasks instanceof Float64Array &&
    v.segments instanceof Float64Array &&
    v.refs instanceof Int32Array &&
    v.sleeps instanceof Float64Array
  );
}
