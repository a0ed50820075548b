/**
 * The event-column encoder as it was before it walked a tree of layouts (src/protocol/eventColumns.ts, before the
 * commit that made it quicker), kept unchanged as the oracle for the test that the encoder's output did not change:
 * the page reads the same bytes. Test code only.
 */
import type { TraceEvent } from '../../src/contract/trace';
import {
  EVENT_COLUMNS_FORMAT,
  EVENT_COLUMNS_VERSION,
  EventColumns,
  NUMBER,
  OBJECT,
  ObjectShape,
  TABLE,
} from '../../src/protocol/eventColumns';

function isPlainObject(value: object): boolean {
  if (Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Encodes `events` (in order) into one batch, as the encoder before the walk tree did. */
export function legacyEncodeEventColumns(events: readonly TraceEvent[], from = 0, to = events.length): EventColumns {
  const encoder = new EventColumnsEncoder(to - from);
  for (let i = from; i < to; i++) encoder.add(events[i]);
  return encoder.finish();
}

/** Builds a batch one event at a time (tries the layouts already seen for the event's type, then builds a signature). */
class EventColumnsEncoder {
  private readonly shapes: ObjectShape[] = [];
  private readonly shapeIndex = new Map<string, number>();
  /** Event shapes by event type, in the order found. */
  private readonly byType = new Map<string, number[]>();
  private readonly table: unknown[] = [];
  private readonly strings = new Map<string, number>();
  /** Table values that are not strings, by their JSON text. */
  private readonly others = new Map<string, number>();
  private flat: Float64Array;
  private length = 0;
  private count = 0;

  constructor(expectedEvents = 1024) {
    this.flat = new Float64Array(Math.max(64, expectedEvents * 8));
  }

  add(event: TraceEvent): void {
    const record = event as unknown as Record<string, unknown>;
    // Most events have the layout of an earlier event of their type: try those first (no strings built).
    const type = typeof record.type === 'string' ? record.type : '';
    let candidates = this.byType.get(type);
    if (candidates === undefined) {
      candidates = [];
      this.byType.set(type, candidates);
    }
    const start = this.length;
    for (let c = 0; c < candidates.length; c++) {
      this.put(candidates[c]);
      if (this.write(record, candidates[c])) {
        this.count++;
        return;
      }
      this.length = start;
    }
    const shape = this.shapeOf(record);
    candidates.push(shape);
    this.put(shape);
    this.write(record, shape);
    this.count++;
  }

  finish(): EventColumns {
    return {
      format: EVENT_COLUMNS_FORMAT,
      version: EVENT_COLUMNS_VERSION,
      count: this.count,
      shapes: this.shapes,
      flat: this.flat.slice(0, this.length),
      table: JSON.stringify(this.table),
    };
  }

  /** The shape of `record`, added when new. Its signature names every key and how its value is stored. */
  private shapeOf(record: Record<string, unknown>): number {
    const signature = this.signature(record);
    const known = this.shapeIndex.get(signature);
    if (known !== undefined) return known;
    const shape: ObjectShape = { keys: [], kinds: [], sub: [] };
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      shape.keys.push(key);
      if (typeof value === 'number') {
        shape.kinds.push(NUMBER);
        shape.sub.push(-1);
      } else if (typeof value === 'object' && value !== null && isPlainObject(value)) {
        shape.kinds.push(OBJECT);
        shape.sub.push(this.shapeOf(value as Record<string, unknown>));
      } else {
        shape.kinds.push(TABLE);
        shape.sub.push(-1);
      }
    }
    const index = this.shapes.length;
    this.shapes.push(shape);
    this.shapeIndex.set(signature, index);
    return index;
  }

  private signature(record: Record<string, unknown>): string {
    let signature = '{';
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      // Keys are JSON-quoted so no key can fake the separators.
      signature += JSON.stringify(key);
      if (typeof value === 'number') signature += '#';
      else if (typeof value === 'object' && value !== null && isPlainObject(value)) {
        signature += this.signature(value as Record<string, unknown>);
      } else signature += '$';
    }
    return signature + '}';
  }

  /**
   * Writes the values of `record` if it has shape `s` (same keys in the same order, values stored the same way);
   * false if it does not (the caller then drops what was written).
   */
  private write(record: Record<string, unknown>, s: number): boolean {
    const { keys, kinds, sub } = this.shapes[s];
    let k = 0;
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      if (k >= keys.length || keys[k] !== key) return false;
      const kind = kinds[k];
      if (typeof value === 'number') {
        if (kind !== NUMBER) return false;
        this.put(value);
      } else if (typeof value === 'object' && value !== null && isPlainObject(value)) {
        if (kind !== OBJECT || !this.write(value as Record<string, unknown>, sub[k])) return false;
      } else {
        if (kind !== TABLE) return false;
        this.put(this.ref(value));
      }
      k++;
    }
    return k === keys.length;
  }

  private put(value: number): void {
    if (this.length === this.flat.length) {
      const next = new Float64Array(this.flat.length * 2);
      next.set(this.flat);
      this.flat = next;
    }
    this.flat[this.length++] = value;
  }

  private ref(value: unknown): number {
    if (typeof value === 'string') {
      let index = this.strings.get(value);
      if (index === undefined) {
        index = this.table.length;
        this.table.push(value);
        this.strings.set(value, index);
      }
      return index;
    }
    // null, booleans, arrays (gather's targets), and whatever else JSON can carry.
    const text = JSON.stringify(value) ?? 'null';
    let index = this.others.get(text);
    if (index === undefined) {
      index = this.table.length;
      this.table.push(value === undefined ? null : value);
      this.others.set(text, index);
    }
    return index;
  }
}
