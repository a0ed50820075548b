/**
 * A session's events, kept mostly encoded. A million events held as objects were about 80 MB of objects in the
 * extension host's heap (the host every extension shares), which each of its full collections walks; encoded, they
 * take about as much memory in array buffers, which the collector does not walk. Here every `BATCH_EVENTS` events are encoded into one columnar
 * batch (`src/protocol/eventColumns.ts`, the form the timeline is sent anyway) and their objects dropped; only the
 * newest, not yet a whole batch, stay objects. The timeline is sent the stored batches as they are, so showing a
 * loaded trace costs the host no encoding.
 *
 * Reading an event of a stored batch decodes the batch (tens of milliseconds for 50,000 events); the last two decoded
 * are kept, as the views read neighbouring events (a batch just stored starts there with its objects, so a live
 * timeline sending the end of it decodes nothing). Each event's task and time are also kept in columns, so finding a
 * task's events and comparing times decode nothing. Pure (no `vscode`).
 */
import { TraceEvent } from '../../contract/trace';
import { decodeEventColumns, encodeEventColumns, EventColumns } from '../../protocol/eventColumns';
import { eventTask } from './taskTree';

/** Events per stored batch: also the most the timeline is sent in one message. */
export const BATCH_EVENTS = 50_000;

/** `taskOf` for an event that belongs to no task. */
const NO_TASK = -1;

export class EventStore {
  private readonly batches: EventColumns[] = [];
  /** Events after the last stored batch, as objects. */
  private tail: TraceEvent[] = [];
  /** Per event: its task (or `NO_TASK`) and its time. */
  private tasks: Float64Array = new Float64Array(1024);
  private times: Float64Array = new Float64Array(1024);
  private count = 0;
  /** The last decoded batches, most recent first. */
  private decoded: Array<{ batch: number; events: TraceEvent[] }> = [];
  /** Per task, the indexes of its events, built on first use up to `indexed`. */
  private readonly byTask = new Map<number, number[]>();
  private indexed = 0;

  constructor(private readonly batchEvents = BATCH_EVENTS) {}

  get length(): number {
    return this.count;
  }

  /** Events in stored (encoded) batches: the first `stored` events, a whole number of batches. */
  get stored(): number {
    return this.batches.length * this.batchEvents;
  }

  push(event: TraceEvent): void {
    const i = this.count;
    if (i === this.tasks.length) {
      this.tasks = grown(this.tasks);
      this.times = grown(this.times);
    }
    // Output is the program's, not a step of the task's life: the task's list of events leaves it out.
    this.tasks[i] = event.type === 'output' ? NO_TASK : eventTask(event) ?? NO_TASK;
    this.times[i] = event.t;
    this.count = i + 1;
    this.tail.push(event);
    if (this.tail.length === this.batchEvents) {
      this.batches.push(encodeEventColumns(this.tail));
      // Its objects stay as the batch's decoded form for now: a live timeline still has the end of it to send.
      this.remember(this.batches.length - 1, this.tail);
      this.tail = [];
    }
  }

  /** The event at `index`, counted from the end when negative (as `Array.prototype.at`); undefined out of range. */
  at(index: number): TraceEvent | undefined {
    if (index < 0) index += this.count;
    if (!(index >= 0 && index < this.count)) return undefined;
    const b = Math.floor(index / this.batchEvents);
    if (b === this.batches.length) return this.tail[index - b * this.batchEvents];
    return this.decodedBatch(b)[index - b * this.batchEvents];
  }

  /** The time of the event at `index`, without decoding it. */
  timeAt(index: number): number {
    return this.times[index];
  }

  /** Events `from` to `to` (exclusive), in order. */
  slice(from = 0, to = this.count): TraceEvent[] {
    from = Math.max(0, from);
    to = Math.min(this.count, to);
    const out: TraceEvent[] = [];
    for (let i = from; i < to; ) {
      const b = Math.floor(i / this.batchEvents);
      const base = b * this.batchEvents;
      const events = b === this.batches.length ? this.tail : this.decodedBatch(b);
      const end = Math.min(to, base + events.length);
      for (; i < end; i++) out.push(events[i - base]);
    }
    return out;
  }

  /** Every event, in order (decoded a batch at a time). */
  *[Symbol.iterator](): IterableIterator<TraceEvent> {
    for (let b = 0; b < this.batches.length; b++) yield* this.decodedBatch(b);
    yield* this.tail;
  }

  /**
   * Events `from` to `to` encoded as one batch: the stored batch itself when the range is exactly one (the caller
   * must not change or transfer it), else encoded now.
   */
  encoded(from: number, to: number): EventColumns {
    const b = from / this.batchEvents;
    if (Number.isInteger(b) && b < this.batches.length && to === from + this.batchEvents) return this.batches[b];
    return encodeEventColumns(this.slice(from, to));
  }

  /** Indexes of the events of `task`, in order (output left out). */
  eventsOf(task: number): readonly number[] {
    for (let i = this.indexed; i < this.count; i++) {
      const t = this.tasks[i];
      if (t === NO_TASK) continue;
      let list = this.byTask.get(t);
      if (!list) this.byTask.set(t, (list = []));
      list.push(i);
    }
    this.indexed = this.count;
    return this.byTask.get(task) ?? [];
  }

  private decodedBatch(b: number): TraceEvent[] {
    const hit = this.decoded.find((d) => d.batch === b);
    if (hit) return hit.events;
    const events = decodeEventColumns(this.batches[b]);
    this.remember(b, events);
    return events;
  }

  private remember(batch: number, events: TraceEvent[]): void {
    this.decoded = [{ batch, events }, ...this.decoded.slice(0, 1)];
  }
}

function grown(column: Float64Array): Float64Array {
  const next = new Float64Array(column.length * 2);
  next.set(column);
  return next;
}
