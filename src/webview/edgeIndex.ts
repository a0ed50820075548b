/**
 * The model's edges (`edges()` in model.ts), kept up to date incrementally while a live run adds events: refolding
 * every edge of a million-event trace on each delta would cost more than a frame. It reads the same model objects
 * and yields the same edges (a unit test checks it against `edges()`), split by kind so the renderer can skip the
 * kinds the user turned off. Pure.
 */
import type { QueuePutEvent } from '../contract/trace';
import type { SuspendReason } from '../contract/trace';
import {
  AwaitEdge,
  CancelEdge,
  CreateEdge,
  Edge,
  QueueEdge,
  Segment,
  TaskInfo,
  TraceModel,
  awaitedTasks,
  edgeStart,
  isSlot,
} from '../model/model';

/** Whether `awaitedTasks(reason)` can be non-empty. */
export function awaitsTasks(reason: SuspendReason): boolean {
  const kind = reason.kind;
  return kind === 'task' || kind === 'gather' || kind === 'wait' || kind === 'asCompleted';
}

interface TaskCursor {
  task: TaskInfo;
  /** Segments whose await edges are final (every segment but the open last one, once seen). */
  closedSegments: number;
  cancelRequests: number;
  /** Await edges of the last segment, still growing with the trace. */
  open: AwaitEdge[];
}

interface ResourceCursor {
  events: number;
  puts: Map<number, QueuePutEvent>;
}

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
  /** The same cursors by id, for small integer ids: an update looks up every task touched, and arrays are cheap. */
  private readonly cursorSlots: Array<TaskCursor | undefined> = [];
  private readonly resourceCursors = new Map<number, ResourceCursor>();
  private readonly openTasks = new Set<number>();

  /**
   * Brings the index up to date with `model` (the same model object as before, with events added since). Edges of
   * tasks in `touched` (tasks the new events were about) are re-read; pass undefined to re-read every task. With
   * `touched`, open waits keep their old end until `refreshOpen` (the session calls it once per frame).
   *
   * `awaiting`, when given, maps every task that entered a wait for tasks (`task`, `gather`, `wait`, `asCompleted`)
   * since the last update to the indexes of those segments: then only they and the wait that was open are read, not
   * every new segment (most of a big trace's segments are runs and sleeps, and reading them is a cache miss each).
   */
  update(model: TraceModel, touched?: Iterable<number>, awaiting?: ReadonlyMap<number, readonly number[]>): void {
    const tasks = model.tasks;
    for (; this.tasksSeen < tasks.length; this.tasksSeen++) {
      const task = tasks[this.tasksSeen];
      if (task.parent !== null && model.taskById.has(task.parent)) {
        this.create.push({ kind: 'create', from: task.parent, to: task.id, t: task.createdAt, site: task.site });
      }
      const cursor: TaskCursor = { task, closedSegments: 0, cancelRequests: 0, open: [] };
      this.taskCursors.set(task.id, cursor);
      if (isSlot(task.id)) {
        while (this.cursorSlots.length < task.id) this.cursorSlots.push(undefined);
        this.cursorSlots[task.id] = cursor;
      }
    }
    const ids = touched ?? tasks.map((t) => t.id);
    const slots = this.cursorSlots;
    for (const id of ids) {
      const cursor = isSlot(id) ? (id < slots.length ? slots[id] : undefined) : this.taskCursors.get(id);
      if (!cursor) continue;
      const task = cursor.task;
      const segments = task.segments;
      const lastIndex = segments.length - 1;
      if (cursor.closedSegments < lastIndex) {
        // Segments before the last one are closed now; their edges are final.
        const wasOpen = cursor.open.length > 0;
        if (wasOpen) cursor.open = [];
        const from = cursor.closedSegments;
        if (awaiting === undefined) {
          for (let i = from; i < lastIndex; i++) this.closedAwaits(id, segments[i]);
        } else {
          // The segment that was open awaited a task if it had open edges; the others are listed.
          if (wasOpen) this.closedAwaits(id, segments[from]);
          const listed = awaiting.get(id);
          if (listed !== undefined) {
            for (const i of listed) if (i > from && i < lastIndex) this.closedAwaits(id, segments[i]);
          }
        }
        cursor.closedSegments = lastIndex;
        const mayAwait = awaiting === undefined || awaiting.get(id)?.includes(lastIndex) === true;
        const open = mayAwait ? segments[lastIndex] : undefined;
        if (open !== undefined) pushAwaitEdges(cursor.open, id, open, model.endTime, true);
        if (cursor.open.length > 0) this.openTasks.add(id);
        else if (wasOpen) this.openTasks.delete(id);
      }
      for (; cursor.cancelRequests < task.cancelRequests.length; cursor.cancelRequests++) {
        const request = task.cancelRequests[cursor.cancelRequests];
        if (request.by === null) continue;
        this.cancel.push({ kind: 'cancel', from: request.by, to: id, t: request.t, message: request.message, site: request.site });
      }
    }
    for (const resource of model.resources) {
      let cursor = this.resourceCursors.get(resource.id);
      if (!cursor) {
        cursor = { events: 0, puts: new Map() };
        this.resourceCursors.set(resource.id, cursor);
      }
      const events = resource.events;
      for (; cursor.events < events.length; cursor.events++) {
        const event = events[cursor.events];
        if (event.type === 'queue.put') cursor.puts.set(event.seq, event);
        else if (event.type === 'queue.get') {
          const put = cursor.puts.get(event.seq);
          if (!put) continue;
          cursor.puts.delete(event.seq);
          if (put.task === null || event.task === null) continue;
          this.queue.push({
            kind: 'queue',
            from: put.task,
            to: event.task,
            start: put.t,
            end: event.t,
            resource: resource.id,
            seq: event.seq,
            item: event.item,
          });
          if (event.t - put.t > this.maxQueueSpan) this.maxQueueSpan = event.t - put.t;
        }
      }
    }
    if (touched === undefined) this.refreshOpen(model.endTime);
  }

  /** The await edges of a closed segment, if it waited for tasks. */
  private closedAwaits(id: number, segment: Segment): void {
    const from = this.await.length;
    pushAwaitEdges(this.await, id, segment, segment.end, false);
    for (let i = from; i < this.await.length; i++) {
      const edge = this.await[i];
      if (edge.end - edge.start > this.maxAwaitSpan) this.maxAwaitSpan = edge.end - edge.start;
    }
  }

  /** Open waits grow with the trace: they end at its current end. */
  refreshOpen(endTime: number): void {
    for (const id of this.openTasks) {
      for (const edge of this.taskCursors.get(id)!.open) {
        edge.end = endTime;
        if (endTime - edge.start > this.maxAwaitSpan) this.maxAwaitSpan = endTime - edge.start;
      }
    }
  }

  /** Await edges still open at the end of the trace. */
  openAwaits(): AwaitEdge[] {
    const out: AwaitEdge[] = [];
    for (const id of this.openTasks) out.push(...this.taskCursors.get(id)!.open);
    return out;
  }

  /** Every edge, ordered by start time (for tests and for the accessible table). */
  all(): Edge[] {
    const list: Edge[] = [...this.create, ...this.await, ...this.openAwaits(), ...this.cancel, ...this.queue];
    return list.sort((a, b) => edgeStart(a) - edgeStart(b));
  }
}

/**
 * The await edges of `segment` of task `id` (one per awaited task), ending at `end`, pushed onto `into`. Most
 * suspensions are sleeps and queue waits, which await no task: they are skipped without allocating.
 */
function pushAwaitEdges(into: AwaitEdge[], id: number, segment: Segment, end: number, open: boolean): void {
  if (!segment.reason || !awaitsTasks(segment.reason)) return;
  for (const target of awaitedTasks(segment.reason)) {
    into.push({
      kind: 'await',
      from: id,
      to: target,
      start: segment.start,
      end,
      open,
      reason: segment.reason,
      site: segment.site ?? null,
    });
  }
}
