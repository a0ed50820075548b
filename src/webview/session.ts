/**
 * The webview's side of the message protocol, without the DOM: folds `snapshot` and `events` messages into a model
 * (through the shared `ModelBuilder`), keeps the indexes the timeline draws from up to date, and says what changed so
 * the view knows how much to redo. Pure, so it is tested in Node: a snapshot followed by deltas gives the same model
 * as folding every event at once.
 */
import type { OutputEvent, SourceSite, TraceEvent, TraceHeader, WarningEvent } from '../contract/trace';
import { assertNever } from '../contract/trace';
import { ModelBuilder, TraceModel, isSlot } from '../model/model';
import { EventsMessage, HostToWebviewMessage, MessageType, SnapshotMessage } from '../protocol/webviewMessages';
import { EdgeIndex, awaitsTasks } from './edgeIndex';

/** A host message with its events decoded: what the inbox hands the session, a piece at a time. */
export type SessionMessage =
  | { type: MessageType.Snapshot; header: TraceHeader; events: readonly TraceEvent[]; live: boolean }
  | { type: MessageType.Events; events: readonly TraceEvent[] }
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

export class TraceSession {
  private builder: ModelBuilder | null = null;
  private current: TraceModel | null = null;
  /** Events were folded since the last `model()` pass. */
  private stale = false;
  private readonly marksByTask = new Map<number, TaskMarks>();
  /** One object per source site (see `append`). */
  private sites = new Map<string, SourceSite>();
  private outputSeen = 0;
  private warningsSeen = 0;
  /** Warnings not about one task, drawn on the axis. */
  readonly runWarnings: WarningEvent[] = [];
  private edgeIndex = new EdgeIndex();
  /**
   * Tasks folded since the edge index was last brought up to date, and those of them that entered a wait for tasks.
   * The index is updated when read (once per frame) rather than per folded piece: a big load folds hundreds of pieces
   * between frames, most touching the same tasks.
   */
  private touched = new TouchedTasks();
  private awaiting = new Map<number, number[]>();
  /** True while the host says more events will come. */
  live = false;
  /** Why there is nothing to show (`empty` message), when there is nothing. */
  emptyMessage: string | null = null;
  /** Bumped on every change to the model, so views can cache what they derive from it. */
  version = 0;
  /** Identifies the trace shown: views restore per-trace state (zoom, pan) only for the same trace. */
  traceKey = '';

  /**
   * The model so far. Folding leaves the last segment of each task ending where it was; this brings them (and the
   * open waits) to the trace's current end, once per change rather than once per folded piece, so the cost of
   * folding does not grow with the number of tasks.
   */
  get model(): TraceModel | null {
    if (this.stale && this.builder) {
      this.stale = false;
      this.current = this.builder.model();
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

  private updateEdges(): void {
    if (this.current === null) return;
    this.edgeIndex.update(this.current, this.touched.ids(), this.awaiting);
    this.touched.clear();
    this.awaiting = new Map();
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
        this.append(message.events);
        return { kind: 'reset' };
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
    this.touched = new TouchedTasks();
    this.awaiting = new Map();
  }

  private reset(header: TraceHeader, live: boolean): void {
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

  private append(events: readonly TraceEvent[]): void {
    const builder = this.builder!;
    const touched = this.touched;
    /** Segments that wait for other tasks, by task: the only new segments the edge index reads. */
    const awaiting = this.awaiting;
    const model = this.current!;
    const sites = this.sites;
    // Decoded events share one object per site within a batch; this gives one object per place across batches (the
    // model keeps the sites, so the heap and GC pauses stay small), with one key built per object, not per event.
    const canonical = new Map<SourceSite, SourceSite>();
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if ('site' in event && event.site) {
        const site = event.site;
        let known = canonical.get(site);
        if (known === undefined) {
          const key = `${site.line}:${site.column}:${site.file}`;
          known = sites.get(key);
          if (known === undefined) {
            known = site;
            sites.set(key, site);
          }
          canonical.set(site, known);
        }
        if (known !== site) event.site = known;
      }
      builder.add(event);
      switch (event.type) {
        case 'task.suspended':
          touched.add(event.task);
          if (event.reason && awaitsTasks(event.reason)) {
            const task = model.taskById.get(event.task);
            const at = task ? task.segments.length - 1 : -1;
            if (task && task.segments[at].reason === event.reason) {
              const list = awaiting.get(task.id);
              if (list === undefined) awaiting.set(task.id, [at]);
              else list.push(at);
            }
          }
          break;
        case 'task.created':
        case 'task.started':
        case 'task.resumed':
        case 'task.cancelRequested':
        case 'task.done':
        case 'task.failed':
        case 'task.cancelled':
          touched.add(event.task);
          break;
        default:
          break;
      }
    }
    // `model` is the object `model()` returns, without the pass over every task (see the `model` getter).
    this.stale = true;
    // Edges now, not when next read: one read after hundreds of pieces would make one long task.
    this.updateEdges();
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
