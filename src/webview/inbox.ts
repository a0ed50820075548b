/**
 * Messages from the host waiting to be folded. Their events arrive encoded (eventColumns.ts) and are handed to the
 * session a piece of at most `chunk` events at a time, still encoded (the session folds them straight from the
 * columns), so a big snapshot (a million events) or a burst of deltas is folded in short slices between frames
 * instead of one long task that freezes the page. Order is kept; a new `snapshot` or `empty` makes everything queued
 * before it moot. A batch that cannot be read replaces the trace with an `empty` message saying why. Pure.
 */
import { EventColumnsReader } from '../protocol/eventColumns';
import { HostToWebviewMessage, MessageType } from '../protocol/webviewMessages';
import type { ColumnPiece, SessionMessage } from './session';

export const DEFAULT_CHUNK = 5000;

interface Queued {
  message: HostToWebviewMessage;
  /** For `snapshot` and `events`: the decoder of its events. */
  reader: EventColumnsReader | null;
  /** How many of its events were handed out in pieces. */
  handedOut: number;
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
      this.queue.push({ message, reader, handedOut: 0 });
      this.pendingEvents += reader.count;
      return;
    }
    this.queue.push({ message, reader: null, handedOut: 0 });
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  /** Events queued but not handed out yet. */
  get backlog(): number {
    return this.pendingEvents;
  }

  /**
   * The next piece for the session (at most `max` events, still encoded), or undefined when nothing is queued. The
   * session must fold a piece before asking for the next.
   */
  next(max: number = this.chunk): SessionMessage | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    const { message, reader } = head;
    if (reader === null || (message.type !== MessageType.Snapshot && message.type !== MessageType.Events)) {
      this.queue.shift();
      return message as SessionMessage;
    }
    const first = head.handedOut === 0;
    const length = Math.min(reader.count - head.handedOut, Math.max(1, Math.floor(max)));
    head.handedOut += length;
    const events: ColumnPiece = { reader, length, failed: (err) => this.unreadable(err) };
    this.pendingEvents -= length;
    if (head.handedOut >= reader.count) this.queue.shift();
    // The first piece of a snapshot is the snapshot (it resets the view); the rest are deltas.
    if (message.type === MessageType.Snapshot && first) {
      const snapshot: SessionMessage = { type: MessageType.Snapshot, header: message.header, events, live: message.live };
      if (message.lanes !== undefined) snapshot.lanes = message.lanes;
      return snapshot;
    }
    return { type: MessageType.Events, events };
  }

  private clear(): void {
    this.queue.length = 0;
    this.pendingEvents = 0;
  }

  /** What was queued cannot be shown faithfully: say so instead. */
  private unreadable(err: unknown): void {
    this.clear();
    const message = `The trace could not be read: ${err instanceof Error ? err.message : String(err)}`;
    this.queue.push({ message: { type: MessageType.Empty, message }, reader: null, handedOut: 0 });
  }
}
