/**
 * A finished trace's tasks and lanes as the model already holds them, for a viewer that would otherwise fold every
 * event again. Folding a million events is most of what showing a big trace costs the timeline (0.7-1 s of the page's
 * main thread); the model of a finished trace is already folded where the trace was read (the extension host, the
 * `report` command), and its lanes are a few columns of numbers. So a finished trace travels as:
 *
 * - `ModelLanes`: every task (its fields as JSON) and its segments (the lanes' columns as they are, `start, code,
 *   ref` per segment, lanes one after the other), the refs' suspend reasons, sites and wake causes (each distinct one
 *   once, in a JSON table, the refs as indexes into it) and the sleeps' `seconds, until` as numbers;
 * - the events that are not about a task's life (`isLifecycleEvent`: resources, queue operations, output, warnings,
 *   `run.finished`), as a batch the viewer folds as usual.
 *
 * `ModelBuilder.fromLanes` makes the builder that folding the whole trace gives, with those events still to fold; it
 * folds them as it would have (tests fold both ways and compare). Only for a finished trace: a live one grows, and is
 * folded event by event. Pure.
 */
import type { CancelRequest, TaskEnd, TaskInfo, TaskState, TraceAnomaly, TraceModel } from './model';
import type { SourceSite, TraceEvent } from '../contract/trace';

export const MODEL_LANES_FORMAT = 'coroutine-trace-model-lanes';
export const MODEL_LANES_VERSION = 1;

export interface ModelLanes {
  format: typeof MODEL_LANES_FORMAT;
  version: number;
  /** The lifecycle events these lanes fold (the model's event count before the other events are folded). */
  events: number;
  /** The trace's end (`TraceModel.endTime`). */
  endTime: number;
  /** JSON of `LanesJson`. */
  json: string;
  /** `start, code, ref` per segment: the tasks' lanes one after the other, in the order of `LanesJson.tasks`. */
  segments: Float64Array;
  /**
   * `reason, site, wake` per ref, in the order the segments number them: an index into `LanesJson.objects`, or -1 for
   * undefined (reason, wake) or null (site); a sleep's reason is `-2 - k`, its `seconds, until` at `sleeps[2k]`.
   */
  refs: Float64Array;
  /** `seconds, until` per sleep. */
  sleeps: Float64Array;
}

/** One task as `ModelLanes` carries it: `TaskInfo` without its lane, with its number of segments. */
export interface LaneTask {
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
  /** A cancelled task's `end.request` is its last cancel request (the same object once read). */
  end?: TaskEnd;
  cancelRequests: CancelRequest[];
  /** How many segments its lane has. */
  segments: number;
}

export interface LanesJson {
  tasks: LaneTask[];
  /** The suspend reasons, sites and wake causes the refs point at, each distinct one once. */
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
export function encodeModelLanes(model: TraceModel, otherEvents: number): ModelLanes {
  let segmentCount = 0;
  for (const task of model.tasks) segmentCount += task.lane.length;
  const segments = new Float64Array(segmentCount * 3);
  let refs: Float64Array<ArrayBuffer> = new Float64Array(Math.max(64, segmentCount * 3));
  let sleeps: Float64Array<ArrayBuffer> = new Float64Array(64);
  let refCount = 0;
  let sleepCount = 0;
  const objects: unknown[] = [];
  const byObject = new Map<unknown, number>();
  const byText = new Map<string, number>();
  // Objects the fold shares (sites, reasons of one batch) are looked up once; equal ones that are not shared (each
  // parsed event has its own) by their JSON text.
  const intern = (value: unknown): number => {
    if (value === undefined || value === null) return -1;
    let index = byObject.get(value);
    if (index === undefined) {
      const text = JSON.stringify(value);
      index = byText.get(text);
      if (index === undefined) {
        index = objects.length;
        objects.push(value);
        byText.set(text, index);
      }
      byObject.set(value, index);
    }
    return index;
  };
  const tasks: LaneTask[] = [];
  let at = 0;
  for (const task of model.tasks) {
    const lane = task.lane;
    const store = lane.store;
    for (let i = 0; i < lane.length; i++) {
      const r = lane.refOf(i);
      segments[at] = lane.start(i);
      segments[at + 1] = lane.code(i);
      if (r < 0) segments[at + 2] = -1;
      else {
        if (refCount * 3 + 3 > refs.length) refs = grown(refs);
        const reason = store.ref(r, 0);
        let reasonIndex: number;
        // A sleep's reason (each with its own deadline) goes as numbers, whether the fold kept it so or as an object.
        const sleep = typeof reason === 'number' ? reason : sleepReason(reason);
        if (sleep !== undefined) {
          if (sleepCount * 2 + 2 > sleeps.length) sleeps = grown(sleeps);
          sleeps[sleepCount * 2] = typeof sleep === 'number' ? store.sleep(sleep, 0) : sleep.seconds;
          sleeps[sleepCount * 2 + 1] = typeof sleep === 'number' ? store.sleep(sleep, 1) : sleep.until;
          reasonIndex = -2 - sleepCount++;
        } else reasonIndex = intern(reason);
        refs[refCount * 3] = reasonIndex;
        refs[refCount * 3 + 1] = intern(store.ref(r, 1));
        refs[refCount * 3 + 2] = intern(store.ref(r, 2));
        segments[at + 2] = refCount++;
      }
      at += 3;
    }
    tasks.push(laneTask(task));
  }
  const json: LanesJson = { tasks, objects, anomalies: model.anomalies };
  return {
    format: MODEL_LANES_FORMAT,
    version: MODEL_LANES_VERSION,
    events: model.eventCount - otherEvents,
    endTime: model.endTime,
    json: JSON.stringify(json),
    segments,
    refs: refs.slice(0, refCount * 3),
    sleeps: sleeps.slice(0, sleepCount * 2),
  };
}

function laneTask(task: TaskInfo): LaneTask {
  const out: LaneTask = {
    id: task.id,
    name: task.name,
    parent: task.parent,
    children: task.children,
    site: task.site,
    createdAt: task.createdAt,
    state: task.state,
    cancelRequests: task.cancelRequests,
    segments: task.lane.length,
  };
  if (task.coroutine !== undefined) out.coroutine = task.coroutine;
  if (task.startedAt !== undefined) out.startedAt = task.startedAt;
  if (task.endedAt !== undefined) out.endedAt = task.endedAt;
  if (task.end !== undefined) out.end = task.end;
  return out;
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

function grown(array: Float64Array): Float64Array<ArrayBuffer> {
  const out = new Float64Array(array.length * 2);
  out.set(array);
  return out;
}

/** True for a value that looks like `ModelLanes` (its arrays and counts; `fromLanes` checks the rest). */
export function isModelLanes(value: unknown): value is ModelLanes {
  const v = value as Partial<ModelLanes> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.format === MODEL_LANES_FORMAT &&
    typeof v.json === 'string' &&
    Number.isInteger(v.events) &&
    typeof v.endTime === 'number' &&
    v.segments instanceof Float64Array &&
    v.refs instanceof Float64Array &&
    v.sleeps instanceof Float64Array
  );
}
