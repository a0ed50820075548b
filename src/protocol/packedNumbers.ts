/**
 * A column of float64 values packed into bytes, for the standalone report's embedded trace. Most values of an event
 * batch are small integers (shape numbers, ids, table indexes, lines) or times in milliseconds with at most three
 * decimals; as float64 they take 8 bytes each and compress poorly, and unpacking a gzipped column in the browser
 * (DecompressionStream) costs about a second for a million events. Packed, a value takes one to five bytes, and
 * unpacking is one pass over the bytes.
 *
 * Each value is an unsigned LEB128 varint of `n * 4 + tag`, below 2^31:
 * - tag 0: the value is `n` (a non-negative integer);
 * - tag 1: the value is `n / 1000` (a positive number with at most three decimals that reads back exactly);
 * - tag 2: the value is `-n` (a negative integer);
 * - tag 3 (with n = 0): the value's 8 bytes follow, little-endian (anything else: big or fine-grained numbers,
 *   -0, NaN, infinities).
 * Pure.
 */

/** `n` of the small kinds stays below this, so `n * 4 + tag` fits an int32 and bit operations decode it. */
const SMALL = 1 << 28;

/** Packs `values` (see the module comment). */
export function packNumbers(values: ArrayLike<number>): Uint8Array {
  let out = new Uint8Array(Math.max(16, values.length * 3));
  let p = 0;
  const raw = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < values.length; i++) {
    if (p + 13 > out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    const v = values[i];
    let word = -1;
    if (Number.isInteger(v) && !Object.is(v, -0)) {
      if (v >= 0 && v < SMALL) word = v * 4;
      else if (v < 0 && v > -SMALL) word = -v * 4 + 2;
    } else if (v > 0 && v < SMALL / 1000) {
      const n = Math.round(v * 1000);
      if (n / 1000 === v) word = n * 4 + 1;
    }
    if (word < 0) {
      out[p++] = 3;
      raw.setFloat64(0, v, true);
      for (let b = 0; b < 8; b++) out[p++] = raw.getUint8(b);
      continue;
    }
    while (word >= 0x80) {
      out[p++] = (word & 0x7f) | 0x80;
      word >>>= 7;
    }
    out[p++] = word;
  }
  return out.slice(0, p);
}

/** The `count` values packed in `bytes`. Throws when the bytes do not hold exactly that many. */
export function unpackNumbers(bytes: Uint8Array, count: number): Float64Array {
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  // While at least a longest value (a tag byte and 8 raw ones; a varint has at most 5) is left, no read can run past
  // the end: the loop then checks nothing per byte. The last few values are read by the checked loop below.
  const safeEnd = end - 9;
  let p = 0;
  let i = 0;
  for (; i < count && p < safeEnd; i++) {
    let word = bytes[p++];
    if (word & 0x80) {
      let b = bytes[p++];
      word = (word & 0x7f) | ((b & 0x7f) << 7);
      if (b & 0x80) {
        b = bytes[p++];
        word |= (b & 0x7f) << 14;
        if (b & 0x80) {
          b = bytes[p++];
          word |= (b & 0x7f) << 21;
          if (b & 0x80) {
            b = bytes[p++];
            if (b & 0x80) throw new Error('a packed number is cut or too long');
            word |= b << 28;
          }
        }
      }
    }
    const tag = word & 3;
    if (tag === 0) out[i] = word >>> 2;
    else if (tag === 1) out[i] = (word >>> 2) / 1000;
    else if (tag === 2) out[i] = -(word >>> 2);
    else {
      out[i] = view.getFloat64(p, true);
      p += 8;
    }
  }
  for (; i < count; i++) {
    if (p >= end) throw new Error(`the packed numbers end after ${i} of ${count}`);
    let b = bytes[p++];
    let word = b & 0x7f;
    let shift = 7;
    while (b & 0x80) {
      if (p >= end || shift > 28) throw new Error('a packed number is cut or too long');
      b = bytes[p++];
      word |= (b & 0x7f) << shift;
      shift += 7;
    }
    const tag = word & 3;
    const n = word >>> 2;
    if (tag === 0) out[i] = n;
    else if (tag === 1) out[i] = n / 1000;
    else if (tag === 2) out[i] = -n;
    else {
      if (p + 8 > end) throw new Error('a packed number is cut');
      out[i] = view.getFloat64(p, true);
      p += 8;
    }
  }
  if (p !== end) throw new Error(`${end - p} bytes after the last packed number`);
  return out;
}
