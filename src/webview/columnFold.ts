/**
 * Folds a columnar batch (src/protocol/eventColumns.ts) into a `ModelBuilder` without making an object of every
 * event. Starts, suspensions and resumptions are most of a trace; for them the values are read straight from the
 * number column by their offset in the event's shape and handed to the builder's `taskStarted` / `taskSuspended` /
 * `taskResumed`, the same calls `ModelBuilder.add` makes. Only their nested objects (reason, site, wake cause) are
 * decoded, and those the reader shares where they repeat. Any other event, and any event whose layout is not the one
 * expected, is decoded to an object and folded the ordinary way, so the result is the same model (tests fold both
 * ways and compare). A whole trace is folded grouped by task, a stretch at a time (see `foldColumns`). Pure.
 */
import type { SourceSite, SuspendReason, TraceEvent, WakeCause } from '../contract/trace';
import { isSlot } from '../model/model';
import type { ModelBuilder } from '../model/model';
import { NUMBER, OBJECT, TABLE } from '../protocol/eventColumns';
import type { EventColumnsReader, ObjectShape } from '../protocol/eventColumns';
import { awaitsTasks } from './edgeIndex';
import { SmallObjects } from './smallObjects';

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

/** Where an event shape keeps its `type` (a table value) and `task` (a number); -1 where it has not. */
interface ScopePlan {
  type: number;
  task: number;
}

function scopeOf(reader: EventColumnsReader, shape: ObjectShape): ScopePlan {
  const scope: ScopePlan = { type: -1, task: -1 };
  let offset = 0;
  for (let k = 0; k < shape.keys.length; k++) {
    const kind = shape.kinds[k];
    if (shape.keys[k] === 'type' && kind === TABLE) scope.type = offset;
    else if (shape.keys[k] === 'task' && kind === NUMBER) scope.task = offset;
    offset += kind === OBJECT ? reader.width(shape.sub[k]) : 1;
  }
  return scope;
}

/** The event types that read or change their task's lane or state: a grouped fold keeps each task's in order. */
const TASK_SCOPED = ['task.started', 'task.suspended', 'task.resumed', 'task.done', 'task.failed', 'task.cancelled', 'task.cancelRequested'];

/** Per reader: the plans of its shapes and the table indexes of the three fast event types. */
interface ReaderPlans {
  plans: Array<ShapePlan | undefined>;
  /** Per shape: values per event, and where its type and task are (read when first grouping). */
  spans: { span: Int32Array; type: Int32Array; task: Int32Array } | null;
  started: number;
  suspended: number;
  resumed: number;
  /** The table index of the reason kind `sleep`. */
  sleep: number;
  /** Per table index: 1 a task-scoped event type, 2 `task.created`, 0 anything else (read when first grouping). */
  typeScope: Uint8Array | null;
  /** The stretch a grouped fold is in the middle of. */
  stretch: Stretch | null;
  /**
   * Per nested shape: its objects decoded once (`SmallObjects`), null for a shape too wide for that. `sites` keeps
   * the session's object for each site (`canonicalSite`).
   */
  objects: Array<SmallObjects<unknown> | null | undefined>;
  sites: Array<SmallObjects<SourceSite> | null | undefined>;
  /** Events up to this reader index are folded in order (a stretch that could not be grouped). */
  inOrderUntil: number;
  /** The builder was told how many segments each task of the batch gets (`expectSegments`). */
  counted: boolean;
}

/** A stretch of a batch folded grouped by task (see `foldColumns`). */
interface Stretch {
  count: number;
  /** The stretch's events copied in the order they are folded (read in order, as the batch is). */
  sorted: EventColumnsReader;
  /** The batch's plans (the copy has the batch's shapes and table). */
  plans: ReaderPlans;
  /** The events' indexes in the stretch, in the order they are folded. */
  order: Int32Array;
  /** How many of `order` are folded, and where the next one is in `sorted`. */
  folded: number;
  position: number;
  /** The number of the stretch's first event in the trace (the model's event count when it began). */
  base: number;
  /** Position in the batch's `flat` after its last event. */
  end: number;
  /** It holds `buffers`' order and copy. */
  lent: boolean;
}

const plansByReader = new WeakMap<EventColumnsReader, ReaderPlans>();

function plansFor(reader: EventColumnsReader): ReaderPlans {
  let plans = plansByReader.get(reader);
  if (plans === undefined) {
    const values = reader.values;
    plans = {
      plans: [],
      spans: null,
      started: values.indexOf('task.started'),
      suspended: values.indexOf('task.suspended'),
      resumed: values.indexOf('task.resumed'),
      sleep: values.indexOf('sleep'),
      typeScope: null,
      stretch: null,
      inOrderUntil: 0,
      counted: false,
      objects: [],
      sites: [],
    };
    plansByReader.set(reader, plans);
  }
  return plans;
}

/** Events of a batch a grouped fold sorts by task at a time; a stretch shorter than `MIN_STRETCH` is folded in order. */
const STRETCH = 50_000;
const MIN_STRETCH = 2_000;
/**
 * Stretches sorted so far in this page. The first ones are shorter (4,096 events, then twice as many each time): the
 * passes over a stretch run in one go, and until V8 has compiled them, a stretch of 50,000 would take a long task.
 */
let stretchesSorted = 0;

/**
 * Folds the next `count` events of `reader` (fewer at the end of its batch).
 *
 * `grouped` (loading a whole trace): the events are folded a stretch of up to `STRETCH` at a time, the stretch's
 * events that are not about one task's lifecycle first (creations, output, queues, ...) in order, then those of each
 * task in turn, each task's in order. Folding one task's events one after the other keeps its lane and record in the
 * cache; in trace order, each event touches another of ten thousand tasks and waits on memory. The stretch is copied
 * in that order first (one pass, read in order), so the fold reads its events in order too. The builder numbers
 * each event as in the trace (`ModelBuilder.foldingAt`), so once a stretch is folded the model is the same as folding
 * it in order; in the middle of one, some tasks are further along than others. A stretch where that order could change
 * the outcome (a task's events before its creation, a task id that is not a small integer) is folded in order.
 */
export function foldColumns(
  reader: EventColumnsReader,
  count: number,
  builder: ModelBuilder,
  target: ColumnFoldTarget,
  grouped = false,
): void {
  const p = plansFor(reader);
  let want = Math.min(count, reader.count - reader.decoded - (p.stretch === null ? 0 : p.stretch.folded));
  while (want > 0) {
    let stretch = p.stretch;
    if (stretch === null) {
      if (grouped && reader.decoded >= p.inOrderUntil && reader.count - reader.decoded >= MIN_STRETCH) {
        stretch = openStretch(reader, p, builder);
        if (stretch === null) p.inOrderUntil = reader.decoded + Math.min(STRETCH, reader.count - reader.decoded);
        p.stretch = stretch;
      }
      if (stretch === null) {
        // In order, up to where a stretch could begin.
        const n = grouped && reader.decoded < p.inOrderUntil ? Math.min(want, p.inOrderUntil - reader.decoded) : want;
        foldInOrder(reader, p, n, builder, target);
        want -= n;
        continue;
      }
    }
    const { sorted, plans, order, base } = stretch;
    const flat = sorted.flat;
    const span = p.spans!.span;
    const stop = Math.min(stretch.count, stretch.folded + want);
    want -= stop - stretch.folded;
    let j = stretch.folded;
    let at = stretch.position;
    try {
      while (j < stop) {
        const s = flat[at];
        const event = at;
        at += span[s];
        builder.foldingAt(base + order[j++]);
        foldOne(sorted, plans, s, event, builder, target);
      }
    } finally {
      // Where the next slice goes on (past an event that threw too: the batch is then dropped).
      stretch.folded = j;
      stretch.position = at;
    }
    if (stretch.folded === stretch.count) {
      if (stretch.lent) buffers.lent = false;
      p.stretch = null;
      reader.advance(stretch.count, stretch.end);
    }
  }
}

function foldInOrder(reader: EventColumnsReader, p: ReaderPlans, want: number, builder: ModelBuilder, target: ColumnFoldTarget): void {
  for (let e = 0; e < want; e++) {
    const s = reader.nextShape();
    const at = reader.position;
    if (at + 1 + reader.width(s) > reader.flat.length) throw new Error('the batch ends inside an event');
    foldOne(reader, p, s, at, builder, target);
    reader.skip(s);
  }
}

/**
 * Walks the next stretch of events (checking their shapes and widths as the reader does) and sorts them for folding:
 * null when grouping could change the outcome.
 */
function openStretch(reader: EventColumnsReader, p: ReaderPlans, builder: ModelBuilder): Stretch | null {
  if (!p.counted) {
    p.counted = true;
    // Worth a pass over the batch only when it holds much of its tasks' lives: the host's messages of a stretch or
    // less give a task a few events each (lanes made that big would still move), and the pass cost more than it saved.
    if (reader.count - reader.decoded > STRETCH) builder.expectSegments(countTaskEvents(reader, p));
  }
  // Each pass is a function of its own: V8 then optimises each loop with its own feedback, where one function with
  // four loops was deoptimised at each next loop and ran most of them in the interpreter.
  const scan = scanStretch(reader, p, builder);
  stretchesSorted++;
  if (scan === null) return null;
  const { positions, taskOf, maxId, end } = scan;
  const n = positions.length;
  // The order and the copy stay with the stretch until it is folded; a stretch opened before the last one was folded
  // to its end (a trace replaced part way) gets new ones.
  const lend = !buffers.lent;
  const order = sortByTask(taskOf, maxId, lend ? ints(ORDER, n) : new Int32Array(n));
  const size = end - positions[0];
  const copy = lend ? numbers(size) : new Float64Array(size);
  copyInOrder(reader.flat, positions, order, end, copy);
  buffers.lent = lend;
  const sorted = reader.rearranged(copy, n);
  return { count: n, sorted, plans: p, order, folded: 0, position: 0, base: builder.model().eventCount, end, lent: lend };
}

/**
 * Buffers for sorting and copying stretches, kept from one stretch to the next. Made for each stretch, a million-event
 * load's copies alone were 60 MB of array buffers, which count toward the memory outside the heap that makes V8 run
 * full collections (in Chromium, 350-450 ms of a load's main thread landed in such collections). `lent`: a stretch
 * not yet folded to its end holds the order and the copy.
 */
const buffers = { ints: [new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0)], numbers: new Float64Array(0), lent: false };
/** Which of `buffers.ints` holds what. */
const POSITIONS = 0;
const TASKS = 1;
const ORDER = 2;
const SCRATCH = 3;

/** `n` numbers of buffer `which` (their values are whatever was there). */
function ints(which: number, n: number): Int32Array {
  let buffer = buffers.ints[which];
  if (buffer.length < n) buffer = buffers.ints[which] = new Int32Array(Math.max(n, buffer.length * 2));
  return buffer.length === n ? buffer : buffer.subarray(0, n);
}

function numbers(n: number): Float64Array {
  let buffer = buffers.numbers;
  if (buffer.length < n) buffer = buffers.numbers = new Float64Array(Math.max(n, buffer.length * 2));
  return buffer.length === n ? buffer : buffer.subarray(0, n);
}

interface StretchScan {
  /** Position in `flat` of each event's shape number. */
  positions: Int32Array;
  /** Each event's task, -1 for the events not about one task's lifecycle. */
  taskOf: Int32Array;
  maxId: number;
  /** Position after the last event. */
  end: number;
}

/**
 * Per task id (slot ids only), how many of the batch's events from the reader's position on are its creation or
 * change its lane (each adds at most one segment): the lanes of a whole trace are then made at their size
 * (`ModelBuilder.expectSegments`). One quick pass over the batch; it stops at the first event it cannot read (the
 * fold then says why).
 */
function countTaskEvents(reader: EventColumnsReader, p: ReaderPlans): Int32Array {
  const { typeScope, spans } = scopesOf(reader, p);
  const { span, type: typeAt, task: taskAt } = spans;
  const flat = reader.flat;
  const shapeCount = span.length;
  const types = typeScope.length;
  let counts = new Int32Array(1024);
  let pos = reader.position;
  for (let k = reader.decoded; k < reader.count && pos < flat.length; k++) {
    const s = flat[pos];
    if (!(s >= 0 && s < shapeCount && (s | 0) === s)) break;
    const at = typeAt[s];
    const t = taskAt[s];
    if (at >= 0 && t >= 0 && pos + span[s] <= flat.length) {
      const type = flat[pos + 1 + at];
      if (type >= 0 && type < types && (type | 0) === type && typeScope[type] !== 0) {
        const id = flat[pos + 1 + t];
        if (isSlot(id)) {
          if (id >= counts.length) {
            const grown = new Int32Array(Math.max(id + 1, counts.length * 2));
            grown.set(counts);
            counts = grown;
          }
          counts[id]++;
        }
      }
    }
    pos += span[s];
  }
  return counts;
}

/** The reader's per-type and per-shape tables for grouping (made on first use). */
function scopesOf(reader: EventColumnsReader, p: ReaderPlans): { typeScope: Uint8Array; spans: NonNullable<ReaderPlans['spans']> } {
  const shapes = reader.shapes;
  let typeScope = p.typeScope;
  if (typeScope === null) {
    const values = reader.values;
    typeScope = p.typeScope = new Uint8Array(values.length);
    for (let v = 0; v < values.length; v++) {
      if (values[v] === 'task.created') typeScope[v] = 2;
      else if (typeof values[v] === 'string' && TASK_SCOPED.includes(values[v] as string)) typeScope[v] = 1;
    }
  }
  let spans = p.spans;
  if (spans === null) {
    // Per shape: values per event (with the shape number), and where its type and task are (-1: nowhere).
    spans = p.spans = { span: new Int32Array(shapes.length), type: new Int32Array(shapes.length), task: new Int32Array(shapes.length) };
    for (let s = 0; s < shapes.length; s++) {
      const scope = scopeOf(reader, shapes[s]);
      spans.span[s] = 1 + reader.width(s);
      spans.type[s] = scope.type;
      spans.task[s] = scope.task;
    }
  }
  return { typeScope, spans };
}

/**
 * Walks the next stretch of events, checking their shapes and widths as the reader does; null when grouping them could
 * change the outcome.
 */
function scanStretch(reader: EventColumnsReader, p: ReaderPlans, builder: ModelBuilder): StretchScan | null {
  const flat = reader.flat;
  const shapes = reader.shapes;
  const first = reader.decoded;
  const n = Math.min(STRETCH, 4096 << Math.min(stretchesSorted, 4), reader.count - first);
  const { typeScope, spans } = scopesOf(reader, p);
  const { span, type: typeAt, task: taskAt } = spans;
  const shapeCount = shapes.length;
  const types = typeScope.length;
  const positions = ints(POSITIONS, n);
  const taskOf = ints(TASKS, n);
  // Tasks an event is about before they exist (the event is an anomaly in order; not if its task.created came first).
  const unknown = new Set<number>();
  const created = new Set<number>();
  let maxId = -1;
  let pos = reader.position;
  for (let k = 0; k < n; k++) {
    if (pos >= flat.length) throw new Error(`the batch ends after ${first + k} of ${reader.count} events`);
    const s = flat[pos];
    if (!(s >= 0 && s < shapeCount && (s | 0) === s)) throw new Error(`bad shape ${s} at ${pos}`);
    const end = pos + span[s];
    if (end > flat.length) throw new Error('the batch ends inside an event');
    positions[k] = pos;
    const at = typeAt[s];
    const type = at < 0 ? -1 : flat[pos + 1 + at];
    const kind = type >= 0 && type < types && (type | 0) === type ? typeScope[type] : 0;
    taskOf[k] = -1;
    if (kind === 1) {
      const t = taskAt[s];
      if (t < 0) return null;
      const id = flat[pos + 1 + t];
      if (!isSlot(id)) return null;
      if (builder.task(id) === undefined && !created.has(id)) unknown.add(id);
      taskOf[k] = id;
      if (id > maxId) maxId = id;
    } else if (kind === 2 && taskAt[s] >= 0) {
      const id = flat[pos + 1 + taskAt[s]];
      if (unknown.size > 0 && unknown.has(id)) return null;
      if (builder.task(id) === undefined) created.add(id);
    }
    pos = end;
  }
  if (first + n === reader.count && pos !== flat.length) throw new Error(`${flat.length - pos} values after the last event`);
  return { positions, taskOf, maxId, end: pos };
}

/** The events' indexes, those of no task (-1) first, then each task's, tasks by id, each in order (a counting sort). */
function sortByTask(taskOf: Int32Array, maxId: number, order: Int32Array): Int32Array {
  const n = taskOf.length;
  const next = ints(SCRATCH, maxId + 2).fill(0);
  for (let k = 0; k < n; k++) next[taskOf[k] + 1]++;
  let sum = 0;
  for (let id = 0; id < next.length; id++) {
    const c = next[id];
    next[id] = sum;
    sum += c;
  }
  for (let k = 0; k < n; k++) order[next[taskOf[k] + 1]++] = k;
  return order;
}

/**
 * The events (at `positions`, the last ending at `end`) copied in `order` into `copy`: read in order, written in runs of
 * a few values. (Read in `order` and written in order, it took twice as long in Chromium: reads from a batch of
 * a million events miss the cache more than writes to a copy of fifty thousand.)
 */
function copyInOrder(flat: Float64Array, positions: Int32Array, order: Int32Array, end: number, copy: Float64Array): void {
  const n = positions.length;
  const at = ints(SCRATCH, n);
  let size = 0;
  for (let j = 0; j < n; j++) {
    const k = order[j];
    at[k] = size;
    size += (k + 1 < n ? positions[k + 1] : end) - positions[k];
  }
  if (size !== copy.length) throw new Error('the stretch is not one run of events');
  for (let k = 0; k < n; k++) {
    const from = positions[k];
    const to = k + 1 < n ? positions[k + 1] : end;
    let d = at[k];
    for (let i = from; i < to; i++) copy[d++] = flat[i];
  }
}

/** Folds the event whose shape number `s` is at `pos` in `flat` (the reader's position is left as it is). */
function foldOne(reader: EventColumnsReader, p: ReaderPlans, s: number, pos: number, builder: ModelBuilder, target: ColumnFoldTarget): void {
  let plan = p.plans[s];
  if (plan === undefined) plan = p.plans[s] = planOf(reader, reader.shapes[s]);
  if (!plan.fast) {
    target.foldEvent(reader.objectAt(s, pos + 1) as unknown as TraceEvent);
    return;
  }
  const flat = reader.flat;
  const at = pos + 1;
  const type = flat[at + plan.type];
  if (type === p.started && plan.reason < 0 && plan.site < 0 && plan.cause < 0) {
    builder.taskStarted(flat[at + plan.t], flat[at + plan.task]);
  } else if (type === p.resumed && plan.reason < 0 && plan.site < 0) {
    const cause = plan.cause < 0 ? undefined : (smallObject(reader, p, plan.causeShape, at + plan.cause) as WakeCause);
    builder.taskResumed(flat[at + plan.t], flat[at + plan.task], cause);
  } else if (type === p.suspended && plan.reason >= 0 && plan.site >= 0 && plan.cause < 0) {
    let site: SourceSite | null;
    if (plan.siteShape >= 0) site = siteAt(reader, p, plan.siteShape, at + plan.site, target);
    else {
      const value = reader.tableValue(flat[at + plan.site]);
      if (value !== null) {
        // Not a site object and not null: leave it to the ordinary fold, which keeps whatever it is.
        target.foldEvent(reader.objectAt(s, at) as unknown as TraceEvent);
        return;
      }
      site = null;
    }
    const id = flat[at + plan.task];
    if (plan.sleepShape && flat[at + plan.reason] === p.sleep) {
      // A sleep: its two numbers go into the task's lane as they are, no reason object is made.
      builder.taskSleeping(flat[at + plan.t], id, flat[at + plan.reason + 1], flat[at + plan.reason + 2], site);
      return;
    }
    const reason = smallObject(reader, p, plan.reasonShape, at + plan.reason) as SuspendReason;
    const index = builder.taskSuspended(flat[at + plan.t], id, reason, site);
    if (index >= 0 && awaitsTasks(reason)) target.awaitingSegment(id, index);
  } else {
    target.foldEvent(reader.objectAt(s, at) as unknown as TraceEvent);
  }
}

/** Objects of a shape this small are looked up in a `SmallObjects` (as the reader shares them: no nested objects). */
const SMALL_VALUES = 4;

function smallObjectsFor<T>(reader: EventColumnsReader, s: number): SmallObjects<T> | null {
  const shape = reader.shapes[s];
  return shape.keys.length <= SMALL_VALUES && !shape.kinds.includes(OBJECT) ? new SmallObjects<T>(reader.width(s)) : null;
}

/** The object of nested shape `s` at `at`: one object for equal values within the batch. */
function smallObject(reader: EventColumnsReader, p: ReaderPlans, s: number, at: number): unknown {
  let objects = p.objects[s];
  if (objects === undefined) objects = p.objects[s] = smallObjectsFor(reader, s);
  if (objects === null) return reader.objectAt(s, at);
  const flat = reader.flat;
  let object = objects.get(flat, at);
  if (object === undefined) {
    object = reader.objectAt(s, at);
    if (objects.useful) objects.set(flat, at, object);
    else p.objects[s] = null;
  }
  return object;
}

/** The site of shape `s` at `at`, as the session keeps it (`canonicalSite`). */
function siteAt(reader: EventColumnsReader, p: ReaderPlans, s: number, at: number, target: ColumnFoldTarget): SourceSite {
  let sites = p.sites[s];
  if (sites === undefined) sites = p.sites[s] = smallObjectsFor<SourceSite>(reader, s);
  if (sites === null) return target.canonicalSite(reader.objectAt(s, at) as unknown as SourceSite);
  const flat = reader.flat;
  let site = sites.get(flat, at);
  if (site === undefined) {
    site = target.canonicalSite(reader.objectAt(s, at) as unknown as SourceSite);
    if (sites.useful) sites.set(flat, at, site);
    else p.sites[s] = null;
  }
  return site;
}
