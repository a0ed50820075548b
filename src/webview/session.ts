/**
 * The webview's side of the message protocol, without the DOM: folds `snapshot` and `events` messages into a model
 * (through the shared `ModelBuilder`), keeps the indexes the timeline draws from up to date, and says what changed so
 * the view knows how much to redo. Pure, so it is tested in Node: a snapshot followed by deltas gives the same model
 * as folding every event at once.
 */
import type { OutputEvent, SourceSite, TraceEvent, TraceHeader, WarningEvent } from '../contract/trace';
import { assertNever } from '../contract/trace';
import { ModelBuilder, TraceModel, codeReasonKind, isSlot } from '../model/model';
import type { ModelLanes } from '../model/modelLanes';
import type { EventColumnsReader } from '../protocol/eventColumns';
import { EventsMessage, HostToWebviewMessage, MessageType, SnapshotMessage } from '../protocol/webviewMessages';
import { ColumnFoldTarget, foldColumns } from './columnFold';
import { EdgeIndex, awaitsTaskKind, awaitsTasks } from './edgeIndex';

/**
 * The next `length` events of a columnar batch, still encoded: the session folds them straight from the columns
 * (see columnFold.ts). `failed` is told when they cannot be read.
 */
export interface ColumnPiece {
  readonly reader: EventColumnsReader;
  readonly length: number;
  failed(err: unknown): void;
}

/** Events as the session takes them: objects (tests, tools), or a piece of a columnar batch (the inbox). */
export type SessionEvents = readonly TraceEvent[] | ColumnPiece;

/**
 * The next `tasks` tasks of a snapshot's lanes to take over (`segments` segments). `failed` is told when they cannot be
 * read.
 */
export interface LanesPiece {
  readonly tasks: number;
  readonly segments: number;
  failed(err: unknown): void;
}

/** The type of the pieces that take a snapshot's lanes over after its first. */
export const TAKE_OVER = 'takeOver';

/**
 * A host message as the inbox hands it to the session, a piece at a time. A snapshot with lanes comes with the first
 * piece of them (`takeOver`; without it, all of them are taken over at once), the rest as `TAKE_OVER` pieces, and
 * then its events.
 */
export type SessionMessage =
  | { type: MessageType.Snapshot; header: TraceHeader; events: SessionEvents; live: boolean; lanes?: ModelLanes; takeOver?: LanesPiece }
  | { type: typeof TAKE_OVER; piece: LanesPiece }
  | { type: MessageType.Events; events: SessionEvents }
  | Exclude<HostToWebviewMessage, SnapshotMessage | EventsMessage>;

/** What a message changed, from most to least work for the view. */
export type SessionChange =
  /** A new trace replaced the old one (or the empty state did). */
  | { kind: 'reset' }
  /** Events were appended; `newTasks` tells whether lanes were added. */
  | { kind: 'append'; newTasks: boolean; count: number }
  /** The run ended: no more deltas. */
  | { kind: 'finished' }
  | { kind: 'cursor'; t: number | null }
  | { kind: 'reveal'; task: number }
  | { kind: 'none' };

/** Output and warnings of one task, in time order, for the marks on its lane. */
export interface TaskMarks {
  output: OutputEvent[];
  warnings: WarningEvent[];
}

export class TraceSession implements ColumnFoldTarget {
  private builder: ModelBuilder | null = null;
  private current: TraceModel | null = null;
  /** Events were folded since the model was last read (open waits and edges to bring up to date). */
  private stale = false;
  private readonly marksByTask = new Map<number, TaskMarks>();
  /** One object per source site (see `canonicalSite`). */
  private sites = new Map<string, SourceSite>();
  private outputSeen = 0;
  private warningsSeen = 0;
  /** Warnings not about one task, drawn on the axis. */
  readonly runWarnings: WarningEvent[] = [];
  private edgeIndex = new EdgeIndex();
  /**
   * What the edge index has to read since it was last brought up to date (once per folded piece): the segments that
   * wait for tasks (task and segment, in the order folded), and the tasks cancelled (`TouchedTasks`: cheap to add to
   * once per event).
   */
  private awaitingTasks: number[] = [];
  private awaitingSegments: number[] = [];
  private cancelled = new TouchedTasks();
  /** Per folded piece: the site objects seen, and the one kept for each (see `canonicalSite`). */
  private canonical = new Map<SourceSite, SourceSite>();
  /** The tasks and lanes came folded (`lanes` in the snapshot): the events to fold are the others, in order. */
  private prebuilt = false;
  /** True while the host says more events will come. */
  live = false;
  /** Why there is nothing to show (`empty` message), when there is nothing. */
  emptyMessage: string | null = null;
  /** Bumped on every change to the model, so views can cache what they derive from it. */
  version = 0;
  /** Identifies the trace shown: views restore per-trace state (zoom, pan) only for the same trace. */
  traceKey = '';

  /**
   * The model so far (it grows in place as events are folded). Reading it brings the open waits to the trace's
   * current end, once per change rather than once per folded piece.
   */
  get model(): TraceModel | null {
    if (this.stale && this.current) {
      this.stale = false;
      this.updateEdges();
      this.edgeIndex.refreshOpen(this.current.endTime);
    }
    return this.current;
  }

  /** The model's edges, up to date with the events folded so far. */
  get edges(): EdgeIndex {
    if (this.stale) void this.model;
    return this.edgeIndex;
  }

  /**
   * Brings the edge index up to date with what was folded, without bringing the open waits to the current end (the
   * next read of `model` or `edges` does that). The timeline calls it after each slice of folding, so a frame does
   * not inherit the edges of everything folded since the last one.
   */
  indexEdges(): void {
    if (this.stale) this.updateEdges();
  }

  private updateEdges(): void {
    if (this.current === null) return;
    const { awaitingTasks, awaitingSegments } = this;
    this.edgeIndex.update(this.current, { awaitingTasks, awaitingSegments, cancelled: this.cancelled.ids() });
    this.cancelled.clear();
    awaitingTasks.length = 0;
    awaitingSegments.length = 0;
  }

  get header(): TraceHeader | null {
    return this.current?.header ?? null;
  }

  marks(task: number): TaskMarks | undefined {
    return this.marksByTask.get(task);
  }

  handle(message: SessionMessage): SessionChange {
    switch (message.type) {
      case MessageType.Snapshot:
        this.reset(message.header, message.live);
        if (message.lanes !== undefined) {
          const piece = message.takeOver ?? wholeLanes(message.events);
          try {
            this.builder = ModelBuilder.takeOver(message.header, message.lanes);
          } catch (err) {
            piece.failed(err);
            return { kind: 'reset' };
          }
          this.current = this.builder.model();
          this.prebuilt = true;
          this.takeOver(piece);
        }
        this.append(message.events);
        return { kind: 'reset' };
      case TAKE_OVER: {
        if (!this.builder) return { kind: 'none' };
        const before = this.current!.tasks.length;
        this.takeOver(message.piece);
        return { kind: 'append', newTasks: this.current!.tasks.length !== before, count: 0 };
      }
      case MessageType.Events: {
        if (!this.builder) return { kind: 'none' };
        const before = this.current!.tasks.length; // the task list grows in place
        this.append(message.events);
        return { kind: 'append', newTasks: this.current!.tasks.length !== before, count: message.events.length };
      }
      case MessageType.Finished:
        this.live = false;
        return { kind: 'finished' };
      case MessageType.Cursor:
        return { kind: 'cursor', t: message.t };
      case MessageType.RevealTask:
        return { kind: 'reveal', task: message.task };
      case MessageType.Empty:
        this.builder = null;
        this.current = null;
        this.live = false;
        this.emptyMessage = message.message;
        this.marksByTask.clear();
        this.runWarnings.length = 0;
        this.resetEdges();
        this.traceKey = '';
        this.version++;
        return { kind: 'reset' };
      default:
        return assertNever(message, 'host message');
    }
  }

  private resetEdges(): void {
    this.edgeIndex = new EdgeIndex();
    this.cancelled = new TouchedTasks();
    this.awaitingTasks = [];
    this.awaitingSegments = [];
  }

  /**
   * Takes the next tasks of a finished trace's lanes over (as folded by the host, see src/model/modelLanes.ts); the
   * edge index is told of every wait for tasks and every cancelled task in them, as a fold would have told it. When
   * they cannot be read, the piece is told (events given as objects throw).
   */
  private takeOver(piece: LanesPiece): void {
    const builder = this.builder!;
    const tasks = this.current!.tasks;
    const from = tasks.length;
    try {
      builder.takeOverTasks(piece.tasks);
    } catch (err) {
      piece.failed(err);
      return;
    }
    for (let t = from; t < tasks.length; t++) {
      const task = tasks[t];
      const lane = task.lane;
      for (let i = 0; i < lane.length; i++) {
        if (awaitsTaskKind(codeReasonKind(lane.code(i)))) this.awaitingSegment(task.id, i);
      }
      if (task.cancelRequests.length > 0) this.cancelled.add(task.id);
    }
    this.stale = true;
  }

  private reset(header: TraceHeader, live: boolean): void {
    this.prebuilt = false;
    this.builder = new ModelBuilder(header);
    this.current = this.builder.model();
    this.stale = false;
    this.live = live;
    this.emptyMessage = null;
    this.marksByTask.clear();
    this.runWarnings.length = 0;
    this.outputSeen = 0;
    this.warningsSeen = 0;
    this.resetEdges();
    this.sites = new Map();
    this.traceKey = `${header.program}\u0000${header.startedAt}`;
    this.version++;
  }

  private append(events: SessionEvents): void {
    this.canonical = new Map();
    if (isEventArray(events)) {
      for (let i = 0; i < events.length; i++) this.foldEvent(events[i]);
    } else {
      try {
        // A whole trace (not a live run) is folded grouped by task: the view of it is a progress view until the end.
        foldColumns(events.reader, events.length, this.builder!, this, !this.live && !this.prebuilt);
      } catch (err) {
        // What was folded stays until the inbox's empty message (it queues one saying why) replaces it.
        events.failed(err);
      }
    }
    this.afterFold();
  }

  /** Folds one event given as an object (`ColumnFoldTarget`). */
  foldEvent(event: TraceEvent): void {
    if ('site' in event && event.site) {
      const site = this.canonicalSite(event.site);
      if (site !== event.site) event.site = site;
    }
    switch (event.type) {
      case 'task.suspended': {
        const index = this.builder!.taskSuspended(event.t, event.task, event.reason, event.site);
        if (index >= 0 && awaitsTasks(event.reason)) this.awaitingSegment(event.task, index);
        return;
      }
      case 'task.cancelRequested':
        this.builder!.add(event);
        this.cancelled.add(event.task);
        return;
      case 'queue.put':
      case 'queue.get': {
        this.builder!.add(event);
        const resource = this.current!.resourceById.get(event.resource);
        if (resource !== undefined) this.edgeIndex.resourceEventAdded(resource);
        return;
      }
      default:
        this.builder!.add(event);
    }
  }

  /**
   * One object per source site (`ColumnFoldTarget`). Decoded events share one object per site within a batch; this
   * gives one object per place across batches (the model keeps the sites, so the heap and GC pauses stay small), with
   * one key built per object, not per event.
   */
  canonicalSite(site: SourceSite): SourceSite {
    let known = this.canonical.get(site);
    if (known === undefined) {
      const key = `${site.line}:${site.column}:${site.file}`;
      known = this.sites.get(key);
      if (known === undefined) {
        known = site;
        this.sites.set(key, site);
      }
      this.canonical.set(site, known);
    }
    return known;
  }

  /** A segment that waits for tasks, for the edge index (`ColumnFoldTarget`). */
  awaitingSegment(id: number, index: number): void {
    this.awaitingTasks.push(id);
    this.awaitingSegments.push(index);
  }

  private afterFold(): void {
    const model = this.current!;
    // The edge index is brought up to date when next read (once per frame): its cost grows with the waits for tasks
    // folded since and those still open, not with the events, so hundreds of pieces between frames are one short
    // update rather than hundreds.
    this.stale = true;
    for (; this.outputSeen < model.output.length; this.outputSeen++) {
      const output = model.output[this.outputSeen];
      if (output.task !== null) this.marksFor(output.task).output.push(output);
    }
    for (; this.warningsSeen < model.warnings.length; this.warningsSeen++) {
      const warning = model.warnings[this.warningsSeen];
      if (warning.task !== undefined && model.taskById.has(warning.task)) this.marksFor(warning.task).warnings.push(warning);
      else this.runWarnings.push(warning);
    }
    this.version++;
  }

  private marksFor(task: number): TaskMarks {
    let marks = this.marksByTask.get(task);
    if (!marks) {
      marks = { output: [], warnings: [] };
      this.marksByTask.set(task, marks);
    }
    return marks;
  }
}

/** All the lanes' tasks at once, for a snapshot handed over whole (not by the inbox): a failure throws. */
function wholeLanes(events: SessionEvents): LanesPiece {
  return {
    tasks: Infinity,
    segments: 0,
    failed: (err) => {
      if (isEventArray(events)) throw err;
      events.failed(err);
    },
  };
}

function isEventArray(events: SessionEvents): events is readonly TraceEvent[] {
  return Array.isArray(events);
}

/**
 * A set of task ids, cheap to add to once per folded event: small integer ids (all a runtime hands out) are marked in
 * an array, others kept in a set. Ids come out in the order first added, slot ids first.
 */
class TouchedTasks {
  private marks = new Uint8Array(1024);
  private readonly list: number[] = [];
  private readonly others = new Set<number>();

  add(id: number): void {
    if (isSlot(id)) {
      if (id >= this.marks.length) {
        const grown = new Uint8Array(Math.max(id + 1, this.marks.length * 2));
        grown.set(this.marks);
        this.marks = grown;
      }
      if (this.marks[id] === 0) {
        this.marks[id] = 1;
        this.list.push(id);
      }
    } else this.others.add(id);
  }

  ids(): number[] {
    return this.others.size === 0 ? this.list : [...this.list, ...this.others];
  }

  clear(): void {
    for (const id of this.list) this.marks[id] = 0;
    this.list.length = 0;
    this.others.clear();
  }
}
