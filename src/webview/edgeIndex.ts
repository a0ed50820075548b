/**
 * The model's edges (`edges()` in model.ts), kept up to date incrementally while a live run adds events: refolding
 * every edge of a million-event trace on each delta would cost more than a frame. It reads the same model objects
 * and yields the same edges (a unit test checks it against `edges()`), split by kind so the renderer can skip the
 * kinds the user turned off. Pure.
 */
import type { QueuePutEvent } from '../contract/trace';
import type { SuspendKind, SuspendReason } from '../contract/trace';
import {
  AwaitEdge,
  CancelEdge,
  CreateEdge,
  Edge,
  QueueEdge,
  ResourceEvent,
  ResourceInfo,
  SegmentColumns,
  TaskInfo,
  TraceModel,
  awaitedTasks,
  edgeStart,
  isSlot,
} from '../model/model';

/** Whether `awaitedTasks(reason)` can be non-empty. */
export function awaitsTasks(reason: SuspendReason): boolean {
  return awaitsTaskKind(reason.kind);
}

/** Whether a reason of this kind waits for tasks (`awaitsTasks`), from a segment's kind (`codeReasonKind`). */
export function awaitsTaskKind(kind: SuspendKind | undefined): boolean {
  return kind === 'task' || kind === 'gather' || kind === 'wait' || kind === 'asCompleted';
}

interface TaskCursor {
  task: TaskInfo;
  /** The task's lane (read for every open wait at every update: one hop fewer). */
  lane: SegmentColumns;
  /** Segments read so far by a whole re-read (`update` without changes). */
  scanned: number;
  cancelRequests: number;
  /** The segment whose await edges are `open` (it was the task's last one), or -1. */
  openIndex: number;
  /** Await edges of the last segment, still growing with the trace. */
  open: AwaitEdge[];
}

interface ResourceCursor {
  events: number;
  /**
   * Puts by sequence number, null once a get took the item: in an array indexed by it where it is a small integer
   * near those seen (a queue numbers its items 1, 2, 3, ...; a map of sixty thousand cost 400 ns a put), else in a map.
   */
  putsBySeq: Array<QueuePutEvent | null | undefined>;
  puts: Map<number, QueuePutEvent | null>;
}

/** What changed since the last update, as the session collects it while folding. */
export interface EdgeChanges {
  /**
   * Segments that are waits for tasks (`task`, `gather`, `wait`, `asCompleted`), in the order folded: segment
   * `awaitingSegments[k]` of task `awaitingTasks[k]` (two lists of numbers rather than a map of lists: nothing to
   * allocate per wait).
   */
  awaitingTasks: readonly number[];
  awaitingSegments: readonly number[];
  /** Tasks that had `cancel()` called on them. */
  cancelled: Iterable<number>;
}

/** Edges per block in `forEachInTime`. */
const TIME_BLOCK = 256;

export class EdgeIndex {
  readonly create: CreateEdge[] = [];
  readonly await: AwaitEdge[] = [];
  readonly cancel: CancelEdge[] = [];
  readonly queue: QueueEdge[] = [];
  /** Await and queue edges can be long; the longest bounds a search by start time. */
  maxAwaitSpan = 0;
  maxQueueSpan = 0;
  private tasksSeen = 0;
  private readonly taskCursors = new Map<number, TaskCursor>();
  /** The same cursors by id, for small integer ids: arrays are cheaper to look up than maps. */
  private readonly cursorSlots: Array<TaskCursor | undefined> = [];
  private readonly resourceCursors = new Map<number, ResourceCursor>();
  /**
   * Cursors of the tasks with open waits (their `openIndex` is not -1), in the order their waits opened: an array
   * read at every update, where a set of ids cost a lookup of the cursor and two more of its task and lane each.
   */
  private openCursors: TaskCursor[] = [];
  /** Per open cursor, its lane and the index of its open segment: checked at every update without reading the cursor. */
  private openLanes: SegmentColumns[] = [];
  private openIndexes: number[] = [];
  /** Per list: time bounds of its blocks of `TIME_BLOCK` edges (see `forEachInTime`). */
  private readonly timeBlocks = new Map<readonly Edge[], { minStart: number[]; maxEnd: number[] }>();
  /** Per list: `from, to, start, stop` of each edge, in one array (see `forEachNear`). */
  private readonly columns = new Map<readonly Edge[], EdgeColumns>();

  /**
   * Brings the index up to date with `model` (the same model object as before, with events added since).
   *
   * With `changes` (what the session saw while folding), only the segments listed there, the waits that were open and
   * the tasks cancelled are read: most of a big trace's segments are runs and sleeps, and reading each would be a
   * cache miss. Open waits then keep their old end until `refreshOpen` (the session calls it once per frame). Without
   * `changes`, every task's new segments are read. An index is kept up to date one way or the other, not both.
   */
  update(model: TraceModel, changes?: EdgeChanges): void {
    const tasks = model.tasks;
    for (; this.tasksSeen < tasks.length; this.tasksSeen++) {
      const task = tasks[this.tasksSeen];
      if (task.parent !== null && model.taskById.has(task.parent)) {
        this.create.push({ kind: 'create', from: task.parent, to: task.id, t: task.createdAt, site: task.site });
      }
      const cursor: TaskCursor = { task, lane: task.lane, scanned: 0, cancelRequests: 0, openIndex: -1, open: [] };
      this.taskCursors.set(task.id, cursor);
      if (isSlot(task.id)) {
        while (this.cursorSlots.length < task.id) this.cursorSlots.push(undefined);
        this.cursorSlots[task.id] = cursor;
      }
    }
    let awaitingTasks: readonly number[];
    let awaitingSegments: readonly number[];
    let cancelled: Iterable<number>;
    if (changes !== undefined) {
      ({ awaitingTasks, awaitingSegments, cancelled } = changes);
    } else {
      const ids: number[] = [];
      const segments: number[] = [];
      for (const task of tasks) {
        const cursor = this.cursor(task.id)!;
        const lane = task.lane;
        for (let i = cursor.scanned; i < lane.length; i++) {
          const reason = lane.reason(i);
          if (reason === undefined || !awaitsTasks(reason)) continue;
          ids.push(task.id);
          segments.push(i);
        }
        cursor.scanned = lane.length;
      }
      awaitingTasks = ids;
      awaitingSegments = segments;
      cancelled = tasks.map((t) => t.id);
    }
    // Waits that were open and whose task has moved on are closed now: their edges are final.
    const { openCursors, openLanes, openIndexes } = this;
    let stillOpen = 0;
    for (let k = 0; k < openCursors.length; k++) {
      const lane = openLanes[k];
      if (lane.length - 1 === openIndexes[k]) {
        openCursors[stillOpen] = openCursors[k];
        openLanes[stillOpen] = lane;
        openIndexes[stillOpen++] = openIndexes[k];
        continue;
      }
      const cursor = openCursors[k];
      const end = lane.end(cursor.openIndex);
      for (const edge of cursor.open) {
        edge.end = end;
        edge.open = false;
        this.await.push(edge);
        if (end - edge.start > this.maxAwaitSpan) this.maxAwaitSpan = end - edge.start;
      }
      cursor.open = [];
      cursor.openIndex = -1;
    }
    openCursors.length = stillOpen;
    openLanes.length = stillOpen;
    openIndexes.length = stillOpen;
    for (let k = 0; k < awaitingTasks.length; k++) {
      const id = awaitingTasks[k];
      const cursor = this.cursor(id);
      if (!cursor) continue;
      const lane = cursor.lane;
      const i = awaitingSegments[k];
      if (i < lane.length - 1) {
        const from = this.await.length;
        pushAwaitEdges(this.await, id, lane, i, lane.end(i), false);
        for (let e = from; e < this.await.length; e++) {
          const edge = this.await[e];
          if (edge.end - edge.start > this.maxAwaitSpan) this.maxAwaitSpan = edge.end - edge.start;
        }
      } else if (i === lane.length - 1) {
        pushAwaitEdges(cursor.open, id, lane, i, model.endTime, true);
        if (cursor.open.length > 0 && cursor.openIndex < 0) {
          openCursors.push(cursor);
          openLanes.push(lane);
          openIndexes.push(i);
          cursor.openIndex = i;
        }
      }
    }
    for (const id of cancelled) {
      const cursor = this.cursor(id);
      if (!cursor) continue;
      const task = cursor.task;
      for (; cursor.cancelRequests < task.cancelRequests.length; cursor.cancelRequests++) {
        const request = task.cancelRequests[cursor.cancelRequests];
        if (request.by === null) continue;
        this.cancel.push({ kind: 'cancel', from: request.by, to: id, t: request.t, message: request.message, site: request.site });
      }
    }
    for (const resource of model.resources) {
      const cursor = this.resourceCursor(resource.id);
      const events = resource.events;
      for (; cursor.events < events.length; cursor.events++) this.readResourceEvent(cursor, resource.id, events[cursor.events]);
    }
    // The arrows' columns and time blocks of the new edges, now (after a slice of folding) rather than in the next
    // frame: a trace's first complete frame would otherwise read every edge of it.
    for (const list of [this.create, this.await, this.cancel, this.queue] as Edge[][]) {
      this.columnsOf(list);
      this.blocksOf(list);
    }
    if (changes === undefined) this.refreshOpen(model.endTime);
  }

  /**
   * Reads the event just appended to `resource.events`, while it is still in the cache (the session calls it as it
   * folds the event): read at the next update instead, among thousands of others, each was a cache miss. Events not
   * read here (the resource is new to the index, or one was missed) are read at the next update, in order.
   */
  resourceEventAdded(resource: ResourceInfo): void {
    const cursor = this.resourceCursors.get(resource.id);
    if (cursor === undefined || cursor.events !== resource.events.length - 1) return;
    this.readResourceEvent(cursor, resource.id, resource.events[cursor.events]);
    cursor.events++;
  }

  private resourceCursor(id: number): ResourceCursor {
    let cursor = this.resourceCursors.get(id);
    if (!cursor) {
      cursor = { events: 0, putsBySeq: [], puts: new Map() };
      this.resourceCursors.set(id, cursor);
    }
    return cursor;
  }

  /** A queue get makes an edge from the task that put the item (matched by sequence number). */
  private readResourceEvent(cursor: ResourceCursor, resource: number, event: ResourceEvent): void {
    if (event.type === 'queue.put') {
      const seq = event.seq;
      const dense = cursor.putsBySeq;
      if (isSlot(seq) && seq < dense.length + SEQ_GAP) {
        while (dense.length < seq) dense.push(undefined);
        dense[seq] = event;
        // A put of the same number kept in the map (from before the array reached it) is replaced, as in a map.
        if (cursor.puts.size > 0) cursor.puts.delete(seq);
      } else cursor.puts.set(seq, event);
    } else if (event.type === 'queue.get') {
      const seq = event.seq;
      const dense = cursor.putsBySeq;
      let put = isSlot(seq) && seq < dense.length ? dense[seq] : undefined;
      if (put !== undefined) dense[seq] = null;
      else {
        put = cursor.puts.get(seq);
        // Marked as taken rather than deleted: a map that shrinks as it grows reallocates its table again and again.
        if (put) cursor.puts.set(seq, null);
      }
      if (!put) return;
      if (put.task === null || event.task === null) return;
      this.queue.push({
        kind: 'queue',
        from: put.task,
        to: event.task,
        start: put.t,
        end: event.t,
        resource,
        seq: event.seq,
        item: event.item,
      });
      if (event.t - put.t > this.maxQueueSpan) this.maxQueueSpan = event.t - put.t;
    }
  }

  private cursor(id: number): TaskCursor | undefined {
    const slots = this.cursorSlots;
    return isSlot(id) ? (id < slots.length ? slots[id] : undefined) : this.taskCursors.get(id);
  }

  /** Open waits grow with the trace: they end at its current end. */
  refreshOpen(endTime: number): void {
    for (const cursor of this.openCursors) {
      for (const edge of cursor.open) {
        edge.end = endTime;
        if (endTime - edge.start > this.maxAwaitSpan) this.maxAwaitSpan = endTime - edge.start;
      }
    }
  }

  /** Calls `visit` for every await edge still open at the end of the trace (`openAwaits` without the array). */
  forEachOpenAwait(visit: (edge: AwaitEdge) => void): void {
    for (const cursor of this.openCursors) for (const edge of cursor.open) visit(edge);
  }

  /**
   * Calls `visit` for the edges of `list` (one of this index's four lists) that may overlap `[t0, t1]`: at least all
   * that do. The lists only grow and their edges, once there, do not change; they are cut into blocks of
   * `TIME_BLOCK` edges with the earliest start and latest end of each, so a view of a short stretch of a long trace
   * skips most blocks unread (edges are added roughly in time order, so a block covers a short time).
   */
  forEachInTime<E extends Edge>(list: readonly E[], t0: number, t1: number, visit: (edge: E) => void): void {
    const { minStart, maxEnd } = this.blocksOf(list);
    for (let b = 0; b < minStart.length; b++) {
      if (maxEnd[b] < t0 || minStart[b] > t1) continue;
      const end = Math.min(list.length, (b + 1) * TIME_BLOCK);
      for (let i = b * TIME_BLOCK; i < end; i++) visit(list[i]);
    }
  }

  /**
   * Calls `visit(edge, rowFrom, rowTo)` for the edges of `list` (one of this index's four lists) that may overlap
   * `[t0, t1]` and join two different shown rows at least one of which is within `[rowLo, rowHi]`, or that lie on
   * both sides of it; rows are `rows[task id]` (a layout's `rowOfTask`; -1 or past its end: not shown). Every other
   * edge is skipped: it joins a hidden lane, stays within one row, or lies wholly above `rowLo` or below `rowHi`.
   *
   * The same as `forEachInTime` with those tests in the visitor, but it reads the edges' ends and times from a copy
   * in one array rather than from the edge objects: zoomed out on a big trace, every block overlaps the view, and a
   * hundred thousand edges scattered in the heap cost a frame to read while a few hundred of them are on screen.
   */
  forEachNear<E extends Edge>(
    list: readonly E[],
    t0: number,
    t1: number,
    rows: Int32Array,
    rowLo: number,
    rowHi: number,
    visit: (edge: E, rowFrom: number, rowTo: number) => void,
  ): void {
    const bounds = this.blocksOf(list);
    const c = this.columnsOf(list);
    const { minStart, maxEnd } = bounds;
    const n = rows.length;
    for (let b = 0; b < minStart.length; b++) {
      if (maxEnd[b] < t0 || minStart[b] > t1) continue;
      const end = Math.min(list.length, (b + 1) * TIME_BLOCK);
      for (let i = b * TIME_BLOCK; i < end; i++) {
        const at = i * EDGE_STRIDE;
        if (c[at + 3] < t0 || c[at + 2] > t1) continue;
        const from = c[at];
        const to = c[at + 1];
        // An id that is not an index of `rows` reads undefined: such an edge goes to the visitor, which decides.
        const ra = from < n ? rows[from] : -1;
        const rb = to < n ? rows[to] : -1;
        if (ra < 0 || rb < 0 || ra === rb) continue;
        if ((ra < rowLo && rb < rowLo) || (ra > rowHi && rb > rowHi)) continue;
        visit(list[i], ra, rb);
      }
    }
  }

  /** The time bounds of `list`'s blocks, brought up to date with its new edges. */
  private blocksOf(list: readonly Edge[]): { minStart: number[]; maxEnd: number[] } {
    let bounds = this.timeBlocks.get(list);
    if (bounds === undefined) {
      bounds = { minStart: [], maxEnd: [] };
      this.timeBlocks.set(list, bounds);
    }
    const { minStart, maxEnd } = bounds;
    // Blocks are (re)computed from the last, possibly partial, one.
    for (let b = Math.max(0, minStart.length - 1); b * TIME_BLOCK < list.length; b++) {
      let lo = Infinity;
      let hi = -Infinity;
      const end = Math.min(list.length, (b + 1) * TIME_BLOCK);
      for (let i = b * TIME_BLOCK; i < end; i++) {
        const edge = list[i];
        const start = edgeStart(edge);
        const stop = edgeStop(edge);
        if (start < lo) lo = start;
        if (stop > hi) hi = stop;
      }
      minStart[b] = lo;
      maxEnd[b] = hi;
    }
    return bounds;
  }

  /** `list`'s edges as columns, extended with the edges added since (they do not change once listed). */
  private columnsOf(list: readonly Edge[]): Float64Array {
    let columns = this.columns.get(list);
    if (columns === undefined) {
      columns = { data: new Float64Array(Math.max(64, list.length) * EDGE_STRIDE), length: 0 };
      this.columns.set(list, columns);
    }
    if (columns.length < list.length) {
      if (list.length * EDGE_STRIDE > columns.data.length) {
        const grown = new Float64Array(Math.max(list.length, columns.data.length / EDGE_STRIDE * 2) * EDGE_STRIDE);
        grown.set(columns.data.subarray(0, columns.length * EDGE_STRIDE));
        columns.data = grown;
      }
      const data = columns.data;
      for (let i = columns.length; i < list.length; i++) {
        const edge = list[i];
        const at = i * EDGE_STRIDE;
        data[at] = edge.from;
        data[at + 1] = edge.to;
        data[at + 2] = edgeStart(edge);
        data[at + 3] = edgeStop(edge);
      }
      columns.length = list.length;
    }
    return columns.data;
  }

  /** Await edges still open at the end of the trace. */
  openAwaits(): AwaitEdge[] {
    const out: AwaitEdge[] = [];
    for (const cursor of this.openCursors) out.push(...cursor.open);
    return out;
  }

  /** Every edge, ordered by start time (for tests and for the accessible table). */
  all(): Edge[] {
    const list: Edge[] = [...this.create, ...this.await, ...this.openAwaits(), ...this.cancel, ...this.queue];
    return list.sort((a, b) => edgeStart(a) - edgeStart(b));
  }
}

/** A queue's put sequence numbers up to this far past the highest one seen go in its array (`putsBySeq`). */
const SEQ_GAP = 1024;

/** Values per edge in `EdgeIndex`'s columns: `from, to, start, stop`. */
const EDGE_STRIDE = 4;

interface EdgeColumns {
  data: Float64Array;
  /** Edges copied so far. */
  length: number;
}

/** When an edge ends: await and queue edges span a time, the others are an instant. */
function edgeStop(edge: Edge): number {
  return edge.kind === 'await' || edge.kind === 'queue' ? edge.end : edgeStart(edge);
}

/** The await edges of segment `i` of task `id`'s lane (one per awaited task), ending at `end`, pushed onto `into`. */
function pushAwaitEdges(into: AwaitEdge[], id: number, lane: SegmentColumns, i: number, end: number, open: boolean): void {
  const reason = lane.reason(i);
  if (!reason || !awaitsTasks(reason)) return;
  const site = lane.site(i) ?? null;
  const start = lane.start(i);
  for (const target of awaitedTasks(reason)) {
    into.push({ kind: 'await', from: id, to: target, start, end, open, reason, site });
  }
}
