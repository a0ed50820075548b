import * as assert from 'assert';
import { packNumbers, unpackNumbers } from '../../src/protocol/packedNumbers';

function roundTrip(values: number[]): Float64Array {
  const packed = packNumbers(values);
  const back = unpackNumbers(packed, values.length);
  assert.strictEqual(back.length, values.length);
  values.forEach((v, i) => assert.ok(Object.is(back[i], v), `value ${i}: ${v} came back as ${back[i]}`));
  return back;
}

describe('packed numbers (the report’s number column)', () => {
  it('gives back every value exactly, small or not', () => {
    roundTrip([]);
    roundTrip([0, 1, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 53, -1, -(2 ** 28) + 1, -(2 ** 28), -1e20]);
    roundTrip([0.001, 0.5, 12345.678, 60000.001, 268435.455, 268435.456, 1e-7, 0.1 + 0.2, Math.PI, 1 / 3]);
    roundTrip([-0, NaN, Infinity, -Infinity, -0.5, -12.345, Number.MAX_VALUE, Number.MIN_VALUE]);
  });

  it('gives back random times and ids exactly', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      values.push(Math.floor(random() * 20000));
      values.push(Math.round(random() * 6e7) / 1000);
      values.push(random() * 1e4);
    }
    roundTrip(values);
  });

  it('takes few bytes for small integers and millisecond times', () => {
    assert.strictEqual(packNumbers([5, 17, 31]).length, 3);
    assert.ok(packNumbers([59999.999]).length <= 4);
    assert.strictEqual(packNumbers([Math.PI]).length, 9);
  });

  it('refuses bytes that do not hold the count asked for', () => {
    const packed = packNumbers([1, 2, 3.5, Math.PI]);
    assert.throws(() => unpackNumbers(packed, 5), /end after 4/);
    assert.throws(() => unpackNumbers(packed, 3), /bytes after the last/);
    assert.throws(() => unpackNumbers(packed.subarray(0, packed.length - 2), 4), /cut/);
    assert.throws(() => unpackNumbers(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 1), /too long/);
    // The same far from the end, where values are read without a check per byte.
    const tooLong = new Uint8Array(40);
    tooLong.set([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    assert.throws(() => unpackNumbers(tooLong, 35), /too long/);
  });

  it('reads every kind of value at every distance from the end of the bytes', () => {
    // The quick loop stops a raw value's length before the end; each kind of value must read the same on both sides.
    const kinds = [3, 200, 70000, 2 ** 27, 12.345, -5, -(2 ** 27), Math.PI, -0];
    for (const last of kinds) {
      for (let before = 0; before < 14; before++) {
        const values = [...Array.from({ length: before }, (_, i) => kinds[i % kinds.length]), last];
        roundTrip(values);
        for (const lead of [[], [1], [1, 1], [128]]) roundTrip([...lead, ...values]);
      }
    }
  });
});
