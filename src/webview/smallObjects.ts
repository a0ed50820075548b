/**
 * Equal small objects of one shape within one columnar batch, decoded once: a table keyed by their values as they
 * lie in the batch's number column. The fold (columnFold.ts) reads a wake cause, a site or a suspend reason for most
 * events; the reader's own sharing looks each value up in a map of maps (about 150 ns an object), this compares a
 * few numbers in one typed array. Which object is kept for a key is the caller's: the first one it gives for it.
 * Pure.
 */

/** Past this many distinct objects the table stops taking new ones. */
const MOST_ENTRIES = 1 << 14;
/** After this many lookups, a table that found fewer than half is not worth its lookups (`useful`). */
const PROBE = 512;
const FIRST_SLOTS = 64;

export class SmallObjects<T> {
  /** `width` values per slot. */
  private keys: Float64Array;
  /** The object per slot; undefined: the slot is free. */
  private objects: Array<T | undefined>;
  private mask: number;
  private size = 0;
  private lookups = 0;
  private misses = 0;

  constructor(readonly width: number) {
    this.keys = new Float64Array(FIRST_SLOTS * width);
    this.objects = new Array<T | undefined>(FIRST_SLOTS).fill(undefined);
    this.mask = FIRST_SLOTS - 1;
  }

  /** The object kept for the `width` values at `at` in `flat`, or undefined. */
  get(flat: Float64Array, at: number): T | undefined {
    const width = this.width;
    const keys = this.keys;
    const mask = this.mask;
    this.lookups++;
    for (let slot = hashOf(flat, at, width) & mask; ; slot = (slot + 1) & mask) {
      const object = this.objects[slot];
      if (object === undefined) {
        this.misses++;
        return undefined;
      }
      const k = slot * width;
      let same = true;
      for (let v = 0; v < width; v++) {
        if (keys[k + v] !== flat[at + v]) {
          same = false;
          break;
        }
      }
      if (same) return object;
    }
  }

  /** False once most lookups found nothing (a shape whose objects rarely repeat: a task awaited, by its id). */
  get useful(): boolean {
    return this.lookups < PROBE || this.misses * 2 <= this.lookups;
  }

  /** Keeps `object` for the values at `at` (which `get` did not find). Ignored once the table is full. */
  set(flat: Float64Array, at: number, object: T): void {
    if (this.size >= MOST_ENTRIES) return;
    if ((this.size + 1) * 2 > this.objects.length) this.grow();
    this.put(flat, at, object);
  }

  private put(from: Float64Array, at: number, object: T): void {
    const width = this.width;
    const mask = this.mask;
    let slot = hashOf(from, at, width) & mask;
    while (this.objects[slot] !== undefined) slot = (slot + 1) & mask;
    this.objects[slot] = object;
    const k = slot * width;
    for (let v = 0; v < width; v++) this.keys[k + v] = from[at + v];
    this.size++;
  }

  private grow(): void {
    const keys = this.keys;
    const objects = this.objects;
    const slots = objects.length * 2;
    this.keys = new Float64Array(slots * this.width);
    this.objects = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.size = 0;
    for (let slot = 0; slot < objects.length; slot++) {
      const object = objects[slot];
      if (object !== undefined) this.put(keys, slot * this.width, object);
    }
  }
}

/**
 * A hash of `width` numbers. Equal numbers hash equal (0 and -0 too, as the reader's maps take them as one key; NaN is
 * never equal to itself, so it is never found and its objects are decoded each time, as they are unequal).
 */
function hashOf(flat: Float64Array, at: number, width: number): number {
  let h = 0x811c9dc5;
  for (let v = 0; v < width; v++) {
    const x = flat[at + v];
    // The integer part, and the fraction's first bits (times are milliseconds with up to three decimals).
    h = Math.imul(h ^ (x | 0), 0x01000193);
    h = Math.imul(h ^ ((x * 4096) | 0), 0x01000193);
  }
  return (h ^ (h >>> 15)) >>> 0;
}
