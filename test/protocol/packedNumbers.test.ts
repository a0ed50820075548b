import * as assert from 'assert';
import type { TraceEvent } from '../../src/contract/trace';
import { type ObjectShape, encodeEventColumns } from '../../src/protocol/eventColumns';
import { BLOCK_EVENTS, packNumbers, unpackNumbers } from '../../src/protocol/packedNumbers';
import { trace } from '../webview/fixtures';

/** One shape of one number: `values` as the column of a batch of one-value events. */
const ONE: ObjectShape[] = [{ keys: ['v'], kinds: [0], sub: [-1] }];

function column(values: number[]): number[] {
  return values.flatMap((v) => [0, v]);
}

function roundTrip(values: number[]): Float64Array {
  const flat = column(values);
  const back = unpackNumbers(packNumbers(flat, ONE), ONE, values.length, flat.length);
  assert.strictEqual(back.length, flat.length);
  flat.forEach((v, i) => assert.ok(Object.is(back[i], v), `value ${i}: ${v} came back as ${back[i]}`));
  return back;
}

describe('packed numbers (the report’s number column)', () => {
  it('gives back every value exactly, small or not', () => {
    roundTrip([]);
    roundTrip([0, 1, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 53, -1, -(2 ** 28) + 1, -(2 ** 28), -1e20]);
    roundTrip([0.001, 0.5, 12345.678, 60000.001, 268435.455, 268435.456, 1e-7, 0.1 + 0.2, Math.PI, 1 / 3]);
    roundTrip([-0, NaN, Infinity, -Infinity, -0.5, -12.345, Number.MAX_VALUE, Number.MIN_VALUE]);
    roundTrip([2 ** 53, -(2 ** 53), 2 ** 53 - 1, 9007199254740.991, -9007199254740.991, 2 ** 50 + 0.5, 1e300, 5e-324]);
    // Jumps around the largest step coded as a varint (2^28 either way), in whole numbers and in thousandths.
    roundTrip([0, 2 ** 28 - 1, -1, 2 ** 28 + 1, 0, 268435.455, 0, 268435.456, -268435.456, 0.001, -268435.455]);
  });

  it('gives back random times and ids exactly', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      values.push(Math.floor(random() * 20000));
      values.push(Math.round(random() * 6e7) / 1000);
      values.push(random() * 1e4);
      values.push(-Math.round(random() * 6e13) / 1000);
    }
    roundTrip(values);
  });

  it('gives back the number columns of recorded traces, field by field, in blocks', () => {
    for (const name of ['06-runtime-tasks.cotrace', '07-cancel-timeout.cotrace', '08-queue-handoff.cotrace']) {
      const events = trace(name).events;
      const many: TraceEvent[] = [];
      // Enough events for a few blocks, the last one short.
      while (many.length < 2.5 * BLOCK_EVENTS) many.push(...events.map((e) => ({ ...e, t: e.t + many.length })));
      for (const list of [events, many]) {
        const { flat, shapes, count } = encodeEventColumns(list);
        assert.deepStrictEqual(unpackNumbers(packNumbers(flat, shapes), shapes, count, flat.length), flat, name);
      }
    }
  });

  it('takes one byte for a repeated value or a small step, whole or in thousandths', () => {
    // (The first time of a trace, far from 0, takes five.)
    assert.strictEqual(packNumbers(column([5, 17, 31]), ONE).length, 6); // three shape numbers, three steps
    assert.strictEqual(packNumbers(column([59999.999, 59999.999, 60000.001]), ONE).length, 3 + 5 + 1 + 1);
    assert.strictEqual(packNumbers(column([Math.PI]), ONE).length, 1 + 9);
    // A raw value leaves the previous one as it was.
    assert.strictEqual(packNumbers(column([1000, Math.PI, 1001]), ONE).length, 3 + 2 + 9 + 1);
  });

  it('lays out the values by field', () => {
    const shapes: ObjectShape[] = [
      { keys: ['x'], kinds: [0], sub: [-1] },
      { keys: ['a', 'n', 'b'], kinds: [0, 1, 0], sub: [-1, 0, -1] },
    ];
    const flat = [1, 1, 2, 3, 0, 7, 1, 2, 3, 4];
    const bytes = packNumbers(flat, shapes);
    // Steps as zigzag numbers times 4: shapes 1 0 1 (+1 -1 +1), x: 7, a: 1 2 (+1 +1), n.x: 2 3, b: 3 4.
    assert.deepStrictEqual(Array.from(bytes), [8, 4, 8, 56, 8, 8, 16, 8, 24, 8]);
    assert.deepStrictEqual(Array.from(unpackNumbers(bytes, shapes, 3, flat.length)), flat);
  });

  it('refuses bytes that do not hold the count asked for', () => {
    const flat = column([1, 2, 3.5, Math.PI]);
    const bytes = packNumbers(flat, ONE);
    assert.throws(() => unpackNumbers(bytes, ONE, 5, flat.length + 2), /bad shape|cut/);
    assert.throws(() => unpackNumbers(bytes, ONE, 4, flat.length + 2), /end after 8 of 10/);
    assert.throws(() => unpackNumbers(bytes, ONE, 3, flat.length - 2), /bytes after the last/);
    assert.throws(() => unpackNumbers(bytes, ONE, 4, flat.length - 1), /more than 7/);
    assert.throws(() => unpackNumbers(bytes.subarray(0, bytes.length - 2), ONE, 4, flat.length), /cut/);
    assert.throws(() => unpackNumbers(new Uint8Array([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), ONE, 1, 2), /too long/);
    assert.throws(() => unpackNumbers(new Uint8Array([0, 2]), ONE, 1, 2), /bad/);
    assert.throws(() => unpackNumbers(new Uint8Array([4 * 4, 0]), ONE, 1, 2), /bad shape/);
    assert.throws(() => packNumbers([3, 1], ONE), /bad shape/);
    assert.throws(() => packNumbers([0], ONE), /inside an event/);
  });

  it('reads every kind of value at every distance from the end of a column', () => {
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
