/**
 * Folds a columnar batch (src/protocol/eventColumns.ts) into a `ModelBuilder` without making an object of every
 * event. Starts, suspensions and resumptions are most of a trace; for them the values are read straight from the
 * number column by their offset in the event's shape and handed to the builder's `taskStarted` / `taskSuspended` /
 * `taskResumed`, the same calls `ModelBuilder.add` makes. Only their nested objects (reason, site, wake cause) are
 * decoded, and those the reader shares where they repeat. Any other event, and any event whose layout is not the one
 * expected, is decoded to an object and folded the ordinary way, so the result is the same model (tests fold both
 * ways and compare). Pure.
 */
import type { SourceSite, SuspendReason, TraceEvent, WakeCause } from '../contract/trace';
import type { ModelBuilder } from '../model/model';
import { NUMBER, OBJECT, TABLE } from '../protocol/eventColumns';
import type { EventColumnsReader, ObjectShape } from '../protocol/eventColumns';
import { awaitsTasks } from './edgeIndex';

/** Who the events are folded for: it folds the events that come as objects, and hears of the fast ones. */
export interface ColumnFoldTarget {
  /** Folds an event decoded to an object (everything but the fast paths). */
  foldEvent(event: TraceEvent): void;
  /** The object to keep for a site (one per place across batches). */
  canonicalSite(site: SourceSite): SourceSite;
  /** A `task.suspended` that waits for tasks opened segment `index` of task `id`. */
  awaitingSegment(id: number, index: number): void;
}

/** Where the fields of one event shape are, as offsets from its first value; -1 where the shape lacks the field. */
interface ShapePlan {
  /** False when the shape has keys no fast path knows (then events of it are decoded). */
  fast: boolean;
  t: number;
  type: number;
  task: number;
  reason: number;
  reasonShape: number;
  /** The reason's shape is a sleep's (`kind, seconds, until`: a table value and two numbers). */
  sleepShape: boolean;
  site: number;
  /** Shape of the site object, or -1 when it is a table value (null). */
  siteShape: number;
  cause: number;
  causeShape: number;
}

function planOf(reader: EventColumnsReader, shape: ObjectShape): ShapePlan {
  const plan: ShapePlan = {
    fast: true,
    t: -1,
    type: -1,
    task: -1,
    reason: -1,
    reasonShape: -1,
    sleepShape: false,
    site: -1,
    siteShape: -1,
    cause: -1,
    causeShape: -1,
  };
  let offset = 0;
  for (let k = 0; k < shape.keys.length; k++) {
    const kind = shape.kinds[k];
    switch (shape.keys[k]) {
      case 't':
        if (kind === NUMBER) plan.t = offset;
        else plan.fast = false;
        break;
      case 'type':
        if (kind === TABLE) plan.type = offset;
        else plan.fast = false;
        break;
      case 'task':
        if (kind === NUMBER) plan.task = offset;
        else plan.fast = false;
        break;
      case 'reason':
        if (kind === OBJECT) {
          plan.reason = offset;
          plan.reasonShape = shape.sub[k];
        } else plan.fast = false;
        break;
      case 'site':
        plan.site = offset;
        if (kind === OBJECT) plan.siteShape = shape.sub[k];
        else if (kind !== TABLE) plan.fast = false;
        break;
      case 'cause':
        if (kind === OBJECT) {
          plan.cause = offset;
          plan.causeShape = shape.sub[k];
        } else plan.fast = false;
        break;
      default:
        plan.fast = false;
    }
    offset += kind === OBJECT ? reader.width(shape.sub[k]) : 1;
  }
  if (plan.t < 0 || plan.type < 0 || plan.task < 0) plan.fast = false;
  if (plan.reasonShape >= 0) {
    const reason = reader.shapes[plan.reasonShape];
    plan.sleepShape =
      reason.keys.join() === 'kind,seconds,until' && reason.kinds[0] === TABLE && reason.kinds[1] === NUMBER && reason.kinds[2] === NUMBER;
  }
  return plan;
}

/** Per reader: the plans of its shapes and the table indexes of the three fast event types. */
interface ReaderPlans {
  plans: Array<ShapePlan | undefined>;
  started: number;
  suspended: number;
  resumed: number;
  /** The table index of the reason kind `sleep`. */
  sleep: number;
}

const plansByReader = new WeakMap<EventColumnsReader, ReaderPlans>();

function plansFor(reader: EventColumnsReader): ReaderPlans {
  let plans = plansByReader.get(reader);
  if (plans === undefined) {
    const values = reader.values;
    plans = {
      plans: [],
      started: values.indexOf('task.started'),
      suspended: values.indexOf('task.suspended'),
      resumed: values.indexOf('task.resumed'),
      sleep: values.indexOf('sleep'),
    };
    plansByReader.set(reader, plans);
  }
  return plans;
}

/** Folds the next `count` events of `reader` (fewer at the end of its batch). */
export function foldColumns(reader: EventColumnsReader, count: number, builder: ModelBuilder, target: ColumnFoldTarget): void {
  const want = Math.min(count, reader.count - reader.decoded);
  if (want <= 0) return;
  const p = plansFor(reader);
  const { plans, started, suspended, resumed, sleep } = p;
  const flat = reader.flat;
  const shapes = reader.shapes;
  for (let e = 0; e < want; e++) {
    const s = reader.nextShape();
    let plan = plans[s];
    if (plan === undefined) plan = plans[s] = planOf(reader, shapes[s]);
    if (!plan.fast) {
      target.foldEvent(reader.readEvent());
      continue;
    }
    const at = reader.position + 1;
    if (at + reader.width(s) > flat.length) throw new Error('the batch ends inside an event');
    const type = flat[at + plan.type];
    if (type === started && plan.reason < 0 && plan.site < 0 && plan.cause < 0) {
      builder.taskStarted(flat[at + plan.t], flat[at + plan.task]);
    } else if (type === resumed && plan.reason < 0 && plan.site < 0) {
      const cause = plan.cause < 0 ? undefined : (reader.objectAt(plan.causeShape, at + plan.cause) as unknown as WakeCause);
      builder.taskResumed(flat[at + plan.t], flat[at + plan.task], cause);
    } else if (type === suspended && plan.reason >= 0 && plan.site >= 0 && plan.cause < 0) {
      let site: SourceSite | null;
      if (plan.siteShape >= 0) site = target.canonicalSite(reader.objectAt(plan.siteShape, at + plan.site) as unknown as SourceSite);
      else {
        const value = reader.tableValue(flat[at + plan.site]);
        if (value !== null) {
          // Not a site object and not null: leave it to the ordinary fold, which keeps whatever it is.
          target.foldEvent(reader.readEvent());
          continue;
        }
        site = null;
      }
      const id = flat[at + plan.task];
      if (plan.sleepShape && flat[at + plan.reason] === sleep) {
        // A sleep: its two numbers go into the task's lane as they are, no reason object is made.
        builder.taskSleeping(flat[at + plan.t], id, flat[at + plan.reason + 1], flat[at + plan.reason + 2], site);
        reader.skip(s);
        continue;
      }
      const reason = reader.objectAt(plan.reasonShape, at + plan.reason) as unknown as SuspendReason;
      const index = builder.taskSuspended(flat[at + plan.t], id, reason, site);
      if (index >= 0 && awaitsTasks(reason)) target.awaitingSegment(id, index);
    } else {
      target.foldEvent(reader.readEvent());
      continue;
    }
    reader.skip(s);
  }
}
