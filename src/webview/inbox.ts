/**
 * Messages from the host waiting to be folded, handed out in pieces of at most `chunk` events, so a big snapshot (a
 * million events) or a burst of deltas is folded in short slices between frames instead of one long task that
 * freezes the page. Order is kept; a new `snapshot` or `empty` makes everything queued before it moot. Pure.
 */
import { HostToWebviewMessage, MessageType } from '../protocol/webviewMessages';

export const DEFAULT_CHUNK = 5000;

export class MessageInbox {
  private readonly queue: HostToWebviewMessage[] = [];
  /** Events of `queue[0]` already handed out. */
  private offset = 0;
  private pendingEvents = 0;

  constructor(private readonly chunk = DEFAULT_CHUNK) {}

  push(message: HostToWebviewMessage): void {
    if (message.type === MessageType.Snapshot || message.type === MessageType.Empty) {
      // Whatever was queued described a trace this message replaces.
      this.queue.length = 0;
      this.offset = 0;
      this.pendingEvents = 0;
    }
    this.queue.push(message);
    if (message.type === MessageType.Snapshot || message.type === MessageType.Events) this.pendingEvents += message.events.length;
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  /** Events queued but not handed out yet. */
  get backlog(): number {
    return this.pendingEvents;
  }

  /** The next piece for the session (at most `max` events), or undefined when nothing is queued. */
  next(max: number = this.chunk): HostToWebviewMessage | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    if (head.type !== MessageType.Snapshot && head.type !== MessageType.Events) {
      this.queue.shift();
      return head;
    }
    const events = head.events;
    const from = this.offset;
    const to = Math.min(events.length, from + Math.max(1, Math.floor(max)));
    const slice = from === 0 && to === events.length ? events : events.slice(from, to);
    this.pendingEvents -= to - from;
    if (to >= events.length) {
      this.queue.shift();
      this.offset = 0;
    } else {
      this.offset = to;
    }
    // The first piece of a snapshot is the snapshot (it resets the view); the rest are deltas.
    if (head.type === MessageType.Snapshot && from === 0) return { ...head, events: slice };
    return { type: MessageType.Events, events: slice };
  }
}
