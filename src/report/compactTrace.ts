/**
 * A compact JSON form of a trace's events for the standalone report, where size is load time: the browser tokenizes
 * every byte of the page and JSON.parse reads it again. Events become one flat array: a shape number (the event's
 * type and key list) followed by the values; object values (sites, suspend reasons, wake causes, errors) are stored
 * once in a table and referred to by index, so the many events that share a site or a cause share one entry. About
 * a third of the size of the event objects, and decoded back into exactly the same events. Generic over the
 * contract: a new event type or field needs no change here. Pure; used by reportHtml.ts and by the webview.
 */
import type { TraceEvent } from '../contract/trace';

export const COMPACT_FORMAT = 'coroutine-trace-compact-events';
export const COMPACT_VERSION = 1;

export interface CompactEvents {
  format: typeof COMPACT_FORMAT;
  version: number;
  /** Per shape: the event type, its keys (without `type`), and which of them hold a table index. */
  shapes: Array<{ type: string; keys: string[]; refs: number[] }>;
  /** Object values, each stored once. */
  table: unknown[];
  /** `shape, value, value, …, shape, value, …`, events in order. */
  flat: unknown[];
  count: number;
}

export function encodeEvents(events: readonly TraceEvent[]): CompactEvents {
  const shapes: CompactEvents['shapes'] = [];
  const shapeIndex = new Map<string, number>();
  const table: unknown[] = [];
  const tableIndex = new Map<string, number>();
  const flat: unknown[] = [];
  for (const event of events) {
    const record = event as unknown as Record<string, unknown>;
    const keys: string[] = [];
    const refs: number[] = [];
    for (const key in record) {
      if (key === 'type') continue;
      const value = record[key];
      if (value === undefined) continue;
      if (typeof value === 'object' && value !== null) refs.push(keys.length);
      keys.push(key);
    }
    const id = `${event.type}\u0000${keys.join(',')}\u0000${refs.join(',')}`;
    let shape = shapeIndex.get(id);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push({ type: event.type, keys, refs });
      shapeIndex.set(id, shape);
    }
    flat.push(shape);
    let r = 0;
    for (let k = 0; k < keys.length; k++) {
      const value = record[keys[k]];
      if (r < refs.length && refs[r] === k) {
        r++;
        const text = JSON.stringify(value);
        let index = tableIndex.get(text);
        if (index === undefined) {
          index = table.length;
          table.push(value);
          tableIndex.set(text, index);
        }
        flat.push(index);
      } else {
        flat.push(value);
      }
    }
  }
  return { format: COMPACT_FORMAT, version: COMPACT_VERSION, shapes, table, flat, count: events.length };
}

/** The events back, equal to what was encoded. Throws on input that is not a compact event list. */
export function decodeEvents(data: CompactEvents): TraceEvent[] {
  const reader = new CompactEventReader(data);
  const events = reader.read(data.count);
  if (!reader.done) throw new Error(`expected ${data.count} events, found more`);
  return events;
}

/**
 * Decodes a compact event list a piece at a time, so a big trace's events can be folded as they are decoded and do
 * not all live at once (fewer objects for the garbage collector to move).
 */
export class CompactEventReader {
  private i = 0;
  private n = 0;

  constructor(private readonly data: CompactEvents) {
    if (!data || data.format !== COMPACT_FORMAT || data.version !== COMPACT_VERSION) {
      throw new Error('not a compact event list this version can read');
    }
  }

  get done(): boolean {
    return this.i >= this.data.flat.length;
  }

  /** Events decoded so far. */
  get count(): number {
    return this.n;
  }

  /** The next `max` events (fewer at the end). */
  read(max: number): TraceEvent[] {
    const { shapes, table, flat, count } = this.data;
    const out: TraceEvent[] = [];
    let i = this.i;
    while (i < flat.length && out.length < max) {
      const shape = shapes[flat[i++] as number];
      if (!shape) throw new Error(`bad shape at ${i - 1}`);
      const event: Record<string, unknown> = { type: shape.type };
      const { keys, refs } = shape;
      let r = 0;
      for (let k = 0; k < keys.length; k++) {
        const value = flat[i++];
        if (r < refs.length && refs[r] === k) {
          r++;
          event[keys[k]] = table[value as number];
        } else {
          event[keys[k]] = value;
        }
      }
      out.push(event as unknown as TraceEvent);
    }
    this.i = i;
    this.n += out.length;
    if (this.done && this.n !== count) throw new Error(`expected ${count} events, read ${this.n}`);
    return out;
  }
}
