import * as assert from 'assert';
import { SmallObjects } from '../../src/webview/smallObjects';

describe('small objects decoded once (SmallObjects)', () => {
  it('finds the object kept for equal values at any position, and nothing for other values', () => {
    const table = new SmallObjects<{ key: string }>(3);
    const flat = new Float64Array([9, 1, 2.5, 3, 1, 2.5, 3, 1, 2.5, 4, -0, 0.001, 7]);
    assert.strictEqual(table.get(flat, 1), undefined);
    const first = { key: 'a' };
    table.set(flat, 1, first);
    assert.strictEqual(table.get(flat, 4), first, 'the same values further on');
    assert.strictEqual(table.get(flat, 7), undefined, '1, 2.5, 4 is another key');
    assert.strictEqual(table.get(flat, 2), undefined, 'values shifted by one are another key');
    const zero = { key: 'zero' };
    table.set(flat, 10, zero);
    assert.strictEqual(table.get(new Float64Array([0, 0.001, 7]), 0), zero, '-0 and 0 are one key, as in a Map');
    assert.strictEqual(table.get(new Float64Array([0, 0.002, 7]), 0), undefined, 'fractions count');
  });

  it('keeps every object as it grows, and keys that collide apart', () => {
    const table = new SmallObjects<number>(2);
    const keys = (i: number): Float64Array => new Float64Array([i % 97, Math.floor(i / 97) + (i % 3) * 0.25]);
    for (let i = 0; i < 5000; i++) {
      const k = keys(i);
      if (table.get(k, 0) === undefined) table.set(k, 0, i);
    }
    for (let i = 0; i < 5000; i++) assert.strictEqual(table.get(keys(i), 0), i, `key ${i}`);
  });

  it('says it is not worth its lookups once most find nothing', () => {
    const distinct = new SmallObjects<number>(1);
    const repeated = new SmallObjects<number>(1);
    for (let i = 0; i < 2000; i++) {
      const k = new Float64Array([i]);
      if (distinct.get(k, 0) === undefined) distinct.set(k, 0, i);
      const r = new Float64Array([i % 10]);
      if (repeated.get(r, 0) === undefined) repeated.set(r, 0, i);
    }
    assert.strictEqual(distinct.useful, false);
    assert.strictEqual(repeated.useful, true);
  });
});
