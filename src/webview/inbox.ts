/**
 * Messages from the host waiting to be folded. Their events arrive encoded (eventColumns.ts) and are handed to the
 * session a piece of at most `chunk` events at a time, still encoded (the session folds them straight from the
 * columns), so a big snapshot (a million events) or a burst of deltas is folded in short slices between frames
 * instead of one long task that freezes the page. A snapshot that brings its model's lanes (src/model/modelLanes.ts)
 * is handed out as the lanes' tasks a few at a time, then its events. Order is kept; a new `snapshot` or `empty`
 * makes everything queued before it moot. A batch that cannot be read replaces the trace with an `empty` message
 * saying why. Pure.
 */
import { ModelLanes, TASK_FIELDS, TaskField } from '../model/modelLanes';
import { EventColumnsReader } from '../protocol/eventColumns';
import { HostToWebviewMessage, MessageType, SnapshotMessage } from '../protocol/webviewMessages';
import { ColumnPiece, LanesPiece, SessionMessage, TAKE_OVER } from './session';

/** The segments of lanes a piece takes over (0: it takes none over). */
export function lanesSegments(piece: SessionMessage): number {
  if (piece.type === TAKE_OVER) return piece.piece.segments;
  if (piece.type === MessageType.Snapshot && piece.takeOver !== undefined) return piece.takeOver.segments;
  return 0;
}

/** How many tasks `lanes` has (a count that does not add up is the session's to report). */
function taskCount(lanes: ModelLanes): number {
  return lanes.tasks instanceof Float64Array ? Math.floor(lanes.tasks.length / TASK_FIELDS) : 0;
}

export const DEFAULT_CHUNK = 5000;
/** Segments of lanes taken over per event in a piece, when the caller gives no size for them. */
export const SEGMENTS_PER_EVENT = 4;

interface Queued {
  message: HostToWebviewMessage;
  /** For `snapshot` and `events`: the decoder of its events. */
  reader: EventColumnsReader | null;
  /** How many of its events were handed out in pieces. */
  handedOut: number;
  /**
   * For a snapshot with lanes: whether the snapshot itself was handed out, and how many of the lanes' tasks (its
   * events come after all of them).
   */
  lanesStarted: boolean;
  tasksOut: number;
}

export class MessageInbox {
  private readonly queue: Queued[] = [];
  private pendingEvents = 0;

  constructor(private readonly chunk = DEFAULT_CHUNK) {}

  push(message: HostToWebviewMessage): void {
    if (message.type === MessageType.Snapshot || message.type === MessageType.Empty) this.clear();
    if (message.type === MessageType.Snapshot || message.type === MessageType.Events) {
      let reader: EventColumnsReader;
      try {
        reader = new EventColumnsReader(message.events);
      } catch (err) {
        this.unreadable(err);
        return;
      }
      this.queue.push({ message, reader, handedOut: 0, lanesStarted: false, tasksOut: 0 });
      this.pendingEvents += reader.count;
      return;
    }
    this.queue.push({ message, reader: null, handedOut: 0, lanesStarted: false, tasksOut: 0 });
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  /** Events queued but not handed out yet. */
  get backlog(): number {
    return this.pendingEvents;
  }

  /**
   * The next piece for the session (at most `max` events, still encoded, or about `maxSegments` segments of lanes to
   * take over), or undefined when nothing is queued. The session must fold a piece before asking for the next.
   */
  next(max: number = this.chunk, maxSegments: number = max * SEGMENTS_PER_EVENT): SessionMessage | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    const { message, reader } = head;
    if (reader === null || (message.type !== MessageType.Snapshot && message.type !== MessageType.Events)) {
      this.queue.shift();
      return message as SessionMessage;
    }
    const lanes = message.type === MessageType.Snapshot ? message.lanes : undefined;
    if (lanes !== undefined && (!head.lanesStarted || head.tasksOut < taskCount(lanes))) {
      return this.takeOverPiece(head, lanes, maxSegments);
    }
    const first = head.handedOut === 0 && lanes === undefined;
    const length = Math.min(reader.count - head.handedOut, Math.max(1, Math.floor(max)));
    head.handedOut += length;
    const events: ColumnPiece = { reader, length, failed: (err) => this.unreadable(err) };
    this.pendingEvents -= length;
    if (head.handedOut >= reader.count) this.queue.shift();
    // The first piece of a snapshot is the snapshot (it resets the view); the rest are deltas.
    if (message.type === MessageType.Snapshot && first) {
      return { type: MessageType.Snapshot, header: message.header, events, live: message.live };
    }
    return { type: MessageType.Events, events };
  }

  /**
   * The next tasks of a snapshot's lanes, about `maxSegments` segments (at least one task): the first piece is the
   * snapshot itself (with the lanes, and none of its events yet).
   */
  private takeOverPiece(head: Queued, lanes: ModelLanes, maxSegments: number): SessionMessage {
    const count = taskCount(lanes);
    const from = head.tasksOut;
    const budget = Math.max(1, Math.floor(maxSegments));
    let to = from;
    let segments = 0;
    while (to < count && (to === from || segments < budget)) {
      const n = lanes.tasks[to * TASK_FIELDS + TaskField.segments];
      segments += n >= 0 ? n : 0;
      to++;
    }
    head.tasksOut = to;
    const first = !head.lanesStarted;
    head.lanesStarted = true;
    const piece: LanesPiece = { tasks: to - from, segments, failed: (err) => this.unreadable(err) };
    const message = head.message as SnapshotMessage;
    if (first) {
      return { type: MessageType.Snapshot, header: message.header, events: [], live: message.live, lanes, takeOver: piece };
    }
    return { type: TAKE_OVER, piece };
  }

  private clear(): void {
    this.queue.length = 0;
    this.pendingEvents = 0;
  }

  /** What was queued cannot be shown faithfully: say so instead. */
  private unreadable(err: unknown): void {
    this.clear();
    const message = `The trace could not be read: ${err instanceof Error ? err.message : String(err)}`;
    this.queue.push({ message: { type: MessageType.Empty, message }, reader: null, handedOut: 0, lanesStarted: false, tasksOut: 0 });
  }
}
