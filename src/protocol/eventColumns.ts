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

/** A step in `ShapeStep`'s walk: the end of a nested object. */
const END = 3;
/** How many strings a step of the walk remembers (`ShapeStep.recent`). */
const RECENT = 8;

/**
 * A node of the tree the encoder walks while it writes an event: one step per key (with how its value is stored) and
 * per end of a nested object, so a path from the root spells out a layout, as a shape's signature does. An event's
 * values go into `flat` in the order its keys are visited whatever its shape, so the encoder writes them as it walks
 * and learns the shape number at the end of the path: no layout is tried and undone, no signature text is built.
 */
class ShapeStep {
  /** The shape whose layout ends here, once an event ended here; -1 before. */
  shape = -1;
  private readonly next: ShapeStep[] = [];
  /**
   * For a step whose value goes to the table: the last few distinct strings it had and their table indexes. Looking
   * a string up in the table's index hashes all its characters (`StringIndex`); comparing it with a few others is
   * cheaper, and most steps see few values (an event type, a file name).
   */
  readonly recent: string[] = [];
  readonly recentIndex: number[] = [];
  recentNext = 0;

  constructor(
    readonly key: string,
    readonly kind: number,
  ) {}

  /** The step after this one for `key` stored as `kind` (or `END`), added when new. */
  to(key: string, kind: number): ShapeStep {
    const next = this.next;
    // Few steps branch (a suspension's reason, say): most have one way on.
    for (let i = 0; i < next.length; i++) {
      const step = next[i];
      if (step.key === key && step.kind === kind) return step;
    }
    const step = new ShapeStep(key, kind);
    next.push(step);
    return step;
  }
}

/** Builds a batch one event at a time. */
export class EventColumnsEncoder {
  private readonly shapes: ObjectShape[] = [];
  private readonly shapeIndex = new Map<string, number>();
  private readonly root = new ShapeStep('', END);
  private readonly table: unknown[] = [];
  private readonly strings = new StringIndex();
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
    let flat = this.flat;
    let n = this.length;
    const at = n;
    if (n === flat.length) flat = this.grow();
    flat[n++] = 0; // the shape number, known once the values are written
    // The events' nested objects (sites, reasons, causes, errors) are walked here, without a call per object: a call
    // with its own `for…in` cost as much as the rest of the walk. Deeper ones are rare (`walk`).
    let step = this.root;
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      let number: number;
      if (typeof value === 'number') {
        step = step.to(key, NUMBER);
        number = value;
      } else if (typeof value === 'string') {
        step = step.to(key, TABLE);
        number = this.text(step, value);
      } else if (typeof value === 'object' && value !== null && isPlainObject(value)) {
        step = step.to(key, OBJECT);
        const nested = value as Record<string, unknown>;
        for (const inner in nested) {
          const v = nested[inner];
          if (v === undefined) continue;
          if (typeof v === 'number') {
            step = step.to(inner, NUMBER);
            number = v;
          } else if (typeof v === 'string') {
            step = step.to(inner, TABLE);
            number = this.text(step, v);
          } else if (typeof v === 'object' && v !== null && isPlainObject(v)) {
            this.length = n;
            step = this.walk(v as Record<string, unknown>, step.to(inner, OBJECT)).to('', END);
            n = this.length;
            flat = this.flat;
            continue;
          } else {
            step = step.to(inner, TABLE);
            number = this.ref(v);
          }
          if (n === flat.length) flat = this.grow(n);
          flat[n++] = number;
        }
        step = step.to('', END);
        continue;
      } else {
        step = step.to(key, TABLE);
        number = this.ref(value);
      }
      if (n === flat.length) flat = this.grow(n);
      flat[n++] = number;
    }
    let shape = step.shape;
    if (shape < 0) shape = step.shape = this.shapeOf(record);
    flat[at] = shape;
    this.length = n;
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

  /** Writes the values of `record` (its nested objects' inline) and returns the step its layout ends at. */
  private walk(record: Record<string, unknown>, from: ShapeStep): ShapeStep {
    let step = from;
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      if (typeof value === 'number') {
        step = step.to(key, NUMBER);
        this.put(value);
      } else if (typeof value === 'object' && value !== null && isPlainObject(value)) {
        step = this.walk(value as Record<string, unknown>, step.to(key, OBJECT)).to('', END);
      } else {
        step = step.to(key, TABLE);
        this.put(typeof value === 'string' ? this.text(step, value) : this.ref(value));
      }
    }
    return step;
  }

  /**
   * The shape of `record`, added when new (nested shapes first). Its signature names every key and how its value is
   * stored; called once per layout an event's walk has not ended at before.
   */
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

  private put(value: number): void {
    const flat = this.length === this.flat.length ? this.grow(this.length) : this.flat;
    flat[this.length++] = value;
  }

  /** A bigger `flat` with the first `length` values. */
  private grow(length = this.length): Float64Array {
    const next = new Float64Array(this.flat.length * 2);
    next.set(this.flat.subarray(0, length));
    this.flat = next;
    return next;
  }

  /** The table index of a string that `step` leads to. */
  private text(step: ShapeStep, value: string): number {
    const recent = step.recent;
    for (let i = 0; i < recent.length; i++) if (recent[i] === value) return step.recentIndex[i];
    const index = this.ref(value);
    if (recent.length < RECENT) {
      recent.push(value);
      step.recentIndex.push(index);
    } else {
      const slot = step.recentNext;
      recent[slot] = value;
      step.recentIndex[slot] = index;
      step.recentNext = (slot + 1) % RECENT;
    }
    return index;
  }

  private ref(value: unknown): number {
    if (typeof value === 'string') return this.strings.indexOf(value, this.table);
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

/** Characters hashed at each end of a longer string (`StringIndex`). */
const HASHED_ENDS = 32;

/**
 * The table indexes of distinct strings, in a hash table of its own. A Map hashes each string it is given the first
 * time, in the engine: for the strings of a parsed trace, each a new object, Chromium's took about a microsecond for
 * strings of forty characters, most of the encoder's time. Here the hash is a few multiplications per character (of
 * at most 64: the ends of a long string; equal hashes are told apart by comparing the strings).
 */
class StringIndex {
  private slots = new Int32Array(1024).fill(-1);
  /** Per string added: its table index and its hash. */
  private readonly indexes: number[] = [];
  private readonly hashes: number[] = [];

  /** The index in `table` of `value`, which is pushed to `table` when new. */
  indexOf(value: string, table: unknown[]): number {
    const hash = hashString(value);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const index = this.slots[slot];
      if (index < 0) break;
      if (table[index] === value) return index;
      slot = (slot + 1) & mask;
    }
    const index = table.length;
    table.push(value);
    this.slots[slot] = index;
    this.indexes.push(index);
    this.hashes.push(hash);
    if (this.indexes.length * 2 > mask) this.grow();
    return index;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let i = 0; i < this.indexes.length; i++) {
      let slot = this.hashes[i] & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = this.indexes[i];
    }
    this.slots = slots;
  }
}

/** FNV-1a over the string's length and characters (its ends when long). */
function hashString(value: string): number {
  const length = value.length;
  let hash = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  if (length <= 2 * HASHED_ENDS) {
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < HASHED_ENDS; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
    for (let i = length - HASHED_ENDS; i < length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  }
  return hash ^ (hash >>> 15);
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
