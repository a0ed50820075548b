/**
 * Trace events in a columnar form for the host → webview messages. Posting a million event objects to a webview
 * costs seconds: structured clone walks and rebuilds every object and string, and the webview's heap then holds
 * them all at once. Here a batch of events is one `Float64Array` and one short JSON text:
 *
 * - `shapes`: each distinct object layout (its keys in order, and for each key whether its value is a number, a
 *   nested plain object of another shape, or anything else), found while encoding. An event is an object of some
 *   shape; so are the objects nested in it (sites, suspend reasons, wake causes, errors).
 * - `flat`: per event, its shape number, then its values in key order: numbers inline, a nested object's values
 *   inline (its shape is known from its parent's), anything else (strings, `null`, booleans, arrays) as an index into
 *   the table.
 * - `table`: those other values, each distinct one once (strings by value, the rare arrays by their JSON text), as one
 *   JSON text.
 *
 * Cloning a typed array is a memory copy (or nothing, when its buffer is transferred) and JSON.parse of one short text
 * is quick, so a batch crosses to the webview in milliseconds. The webview decodes it a piece at a time and folds each
 * piece before decoding the next, so the decoded events are short-lived garbage, not a heap of a million objects. The
 * reader shares equal nested objects (a site, a wake cause) between events where they repeat, as the model keeps
 * them. Generic over the contract: a new event type or field needs no change here. Decoded
 * events equal the encoded ones (keys whose value is `undefined` are left out, as in JSON). Pure.
 */
import type { TraceEvent } from '../contract/trace';

export const EVENT_COLUMNS_FORMAT = 'coroutine-trace-event-columns';
export const EVENT_COLUMNS_VERSION = 1;

/** How a value is stored (`ObjectShape.kinds`): inline number, nested object (values inline), or a table index. */
export const NUMBER = 0;
export const OBJECT = 1;
export const TABLE = 2;

export interface ObjectShape {
  keys: string[];
  /** Per key: 0 a number, 1 a nested object of shape `sub[k]`, 2 a table index. */
  kinds: number[];
  /** Per key: the nested object's shape, or -1. */
  sub: number[];
}

export interface EventColumns {
  format: typeof EVENT_COLUMNS_FORMAT;
  version: number;
  /** How many events. */
  count: number;
  shapes: ObjectShape[];
  /** `shape, values…` per event, in order. Exactly as long as needed, so its buffer can be transferred. */
  flat: Float64Array;
  /** JSON of the array of values that are neither numbers nor plain objects. */
  table: string;
}

function isPlainObject(value: object): boolean {
  if (Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Encodes `events` (in order) into one batch. */
export function encodeEventColumns(events: readonly TraceEvent[], from = 0, to = events.length): EventColumns {
  const encoder = new EventColumnsEncoder(to - from);
  for (let i = from; i < to; i++) encoder.add(events[i]);
  return encoder.finish();
}

/** Builds a batch one event at a time. */
export class EventColumnsEncoder {
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

/** Every event of a batch, equal to what was encoded. Throws on input that is not a batch this version reads. */
export function decodeEventColumns(batch: EventColumns): TraceEvent[] {
  const reader = new EventColumnsReader(batch);
  const events = reader.read(batch.count);
  if (!reader.done) throw new Error(`expected ${batch.count} events, found more`);
  return events;
}

/** Whether `value` is an encoded batch (as opposed to, say, an array of events). */
export function isEventColumns(value: unknown): value is EventColumns {
  const v = value as EventColumns | null;
  return typeof v === 'object' && v !== null && v.format === EVENT_COLUMNS_FORMAT && v.flat instanceof Float64Array;
}

/** Nested objects with at most this many values can be shared between events. */
const SHARE_MAX_VALUES = 4;
/** After this many nested objects of a shape, sharing stops for it unless at least half were repeats. */
const SHARE_PROBE = 512;

/** Per nested shape: equal objects seen, keyed by their raw values (one map level per value). */
interface ShareCache {
  on: boolean;
  lookups: number;
  hits: number;
  root: Map<number, unknown>;
}

/**
 * Decodes a batch a piece at a time. A nested object of a small shape (a site, a wake cause) is shared between the
 * events where it repeats; shapes whose objects rarely repeat (a sleep's deadline) stop being looked up after a
 * probe.
 */
export class EventColumnsReader {
  private i = 0;
  private n = 0;
  private table: unknown[] | null = null;
  private readonly templates: Array<Record<string, unknown>>;
  private readonly caches: Array<ShareCache | null>;
  private readonly widths: number[] = [];

  /**
   * A reader of `count` events of this batch copied into `flat` in another order (each event's shape number and values
   * as in this batch's): it shares this reader's shapes, table and shared objects, so the objects it decodes are the
   * ones this reader would give.
   */
  rearranged(flat: Float64Array, count: number): EventColumnsReader {
    return new EventColumnsReader({ ...this.batch, count, flat }, this);
  }

  constructor(
    private readonly batch: EventColumns,
    of?: EventColumnsReader,
  ) {
    if (of !== undefined) {
      // Another arrangement of events of `of`'s batch: its shapes, table and shared objects.
      this.table = of.values as unknown[];
      this.templates = of.templates;
      this.caches = of.caches;
      this.widths = of.widths;
      return;
    }
    if (!isEventColumns(batch) || batch.version !== EVENT_COLUMNS_VERSION || !Array.isArray(batch.shapes)) {
      throw new Error('not an event batch this version can read');
    }
    const shapes = batch.shapes;
    // One template per shape with every key in order: copying it gives every object of the shape the same hidden
    // class, and the stores that follow overwrite existing properties.
    this.templates = shapes.map((shape) => {
      const template: Record<string, unknown> = {};
      for (const key of shape.keys) template[key] = undefined;
      return template;
    });
    for (let s = 0; s < shapes.length; s++) {
      const { keys, kinds, sub } = shapes[s];
      if (keys.length !== kinds.length || keys.length !== sub.length) throw new Error(`bad shape ${s}`);
      // Nested shapes are found (and numbered) before their parent: this also rules out cycles.
      for (let k = 0; k < keys.length; k++) {
        if (kinds[k] === OBJECT && !(sub[k] >= 0 && sub[k] < s)) throw new Error(`bad nested shape in shape ${s}`);
        if (kinds[k] !== NUMBER && kinds[k] !== OBJECT && kinds[k] !== TABLE) throw new Error(`bad kind in shape ${s}`);
      }
    }
    this.caches = shapes.map((shape) =>
      shape.keys.length <= SHARE_MAX_VALUES && !shape.kinds.includes(OBJECT)
        ? { on: true, lookups: 0, hits: 0, root: new Map() }
        : null,
    );
  }

  /** Events in the batch. */
  get count(): number {
    return this.batch.count;
  }

  /** Events decoded so far. */
  get decoded(): number {
    return this.n;
  }

  get done(): boolean {
    return this.n >= this.batch.count;
  }

  /** The next `max` events (fewer at the end). */
  read(max: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    const want = Math.min(this.batch.count - this.n, Math.max(0, Math.floor(max)));
    for (let e = 0; e < want; e++) out.push(this.readEvent());
    return out;
  }

  /*
   * For readers that fold events without making objects of them (src/webview/columnFold.ts): the raw columns, the
   * position of the next event, and the pieces `read` is made of.
   */

  /** The number column. */
  get flat(): Float64Array {
    return this.batch.flat;
  }

  get shapes(): readonly ObjectShape[] {
    return this.batch.shapes;
  }

  /** The table of values that are neither numbers nor objects (parsed on first use). */
  get values(): readonly unknown[] {
    if (this.table === null) this.table = this.readTable();
    return this.table;
  }

  /** Index in `flat` of the next event's shape number. */
  get position(): number {
    return this.i;
  }

  /** How many values of `flat` an object of shape `s` takes (its nested objects' values included). */
  width(s: number): number {
    let width = this.widths[s];
    if (width === undefined) {
      const { kinds, sub } = this.batch.shapes[s];
      width = 0;
      for (let k = 0; k < kinds.length; k++) width += kinds[k] === OBJECT ? this.width(sub[k]) : 1;
      this.widths[s] = width;
    }
    return width;
  }

  /** The shape of the next event, checked; throws at the end of the batch or on a bad shape number. */
  nextShape(): number {
    const flat = this.batch.flat;
    if (this.n >= this.batch.count) throw new Error('no more events in the batch');
    if (this.i >= flat.length) throw new Error(`the batch ends after ${this.n} of ${this.batch.count} events`);
    const s = flat[this.i];
    if (!(s >= 0 && s < this.batch.shapes.length && Number.isInteger(s))) throw new Error(`bad shape ${s} at ${this.i}`);
    return s;
  }

  /** Skips the next event, of shape `s` (from `nextShape`), once its values were read from `flat`. */
  skip(s: number): void {
    const end = this.i + 1 + this.width(s);
    if (end > this.batch.flat.length) throw new Error('the batch ends inside an event');
    this.i = end;
    this.counted();
  }

  /**
   * Moves past the next `events` events, which end at `position` in `flat`: for a reader that walked them itself
   * (checking their shapes and widths as `nextShape` and `skip` do).
   */
  advance(events: number, position: number): void {
    if (!(events >= 0 && this.n + events <= this.batch.count)) throw new Error('no more events in the batch');
    if (!(position >= this.i && position <= this.batch.flat.length)) throw new Error('the batch ends inside an event');
    if (events === 0) return;
    this.i = position;
    this.n += events - 1;
    this.counted();
  }

  /** The object of shape `s` whose values start at `at` in `flat` (shared with equal ones, as in `read`). */
  objectAt(s: number, at: number): Record<string, unknown> {
    if (this.table === null) this.table = this.readTable();
    const saved = this.i;
    this.i = at;
    try {
      return this.object(s);
    } finally {
      this.i = saved;
    }
  }

  /** A value of the table. */
  tableValue(index: number): unknown {
    const table = this.table ?? (this.table = this.readTable());
    if (!(index >= 0 && index < table.length)) throw new Error(`bad table index ${index}`);
    return table[index];
  }

  /** The next event as an object. */
  readEvent(): TraceEvent {
    if (this.table === null) this.table = this.readTable();
    const s = this.nextShape();
    this.i++;
    const event = this.object(s) as unknown as TraceEvent;
    this.counted();
    return event;
  }

  private counted(): void {
    this.n++;
    if (this.done && this.i !== this.batch.flat.length) {
      throw new Error(`${this.batch.flat.length - this.i} values after the last event`);
    }
  }

  private object(s: number): Record<string, unknown> {
    const cache = this.caches[s];
    if (cache !== null && cache.on) return this.shared(s, cache);
    const { keys, kinds, sub } = this.batch.shapes[s];
    const flat = this.batch.flat;
    const object: Record<string, unknown> = { ...this.templates[s] };
    for (let k = 0; k < keys.length; k++) {
      const kind = kinds[k];
      if (kind === OBJECT) object[keys[k]] = this.object(sub[k]);
      else {
        if (this.i >= flat.length) throw new Error('the batch ends inside an event');
        const value = flat[this.i++];
        object[keys[k]] = kind === NUMBER ? value : this.tableValue(value);
      }
    }
    return object;
  }

  /** An object of a small shape, shared with earlier equal ones. */
  private shared(s: number, cache: ShareCache): Record<string, unknown> {
    const { keys, kinds } = this.batch.shapes[s];
    const flat = this.batch.flat;
    if (this.i + keys.length > flat.length) throw new Error('the batch ends inside an event');
    const start = this.i;
    let level: Map<number, unknown> = cache.root;
    let found: unknown;
    for (let k = 0; k < keys.length; k++) {
      const next = level.get(flat[start + k]);
      if (next === undefined) {
        found = undefined;
        break;
      }
      if (k === keys.length - 1) found = next;
      else level = next as Map<number, unknown>;
    }
    cache.lookups++;
    if (found !== undefined) {
      cache.hits++;
      this.i += keys.length;
      return found as Record<string, unknown>;
    }
    const object: Record<string, unknown> = { ...this.templates[s] };
    for (let k = 0; k < keys.length; k++) {
      const value = flat[this.i++];
      object[keys[k]] = kinds[k] === NUMBER ? value : this.tableValue(value);
    }
    if (cache.lookups >= SHARE_PROBE && cache.hits * 2 < cache.lookups) {
      // Mostly distinct (a sleep's deadline): looking them up costs more than it saves.
      cache.on = false;
      cache.root = new Map();
      return object;
    }
    level = cache.root;
    for (let k = 0; k < keys.length; k++) {
      const key = flat[start + k];
      if (k === keys.length - 1) level.set(key, object);
      else {
        let next = level.get(key) as Map<number, unknown> | undefined;
        if (next === undefined) {
          next = new Map();
          level.set(key, next);
        }
        level = next;
      }
    }
    return object;
  }

  private readTable(): unknown[] {
    const table = JSON.parse(this.batch.table) as unknown;
    if (!Array.isArray(table)) throw new Error('the batch table is not an array');
    return table;
  }
}
