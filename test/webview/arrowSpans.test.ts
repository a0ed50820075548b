import * as assert from 'assert';
import { ArrowSpan, ArrowSpans, arrowHead, convexHull, spanHead } from '../../src/webview/arrowSpans';
import { rng } from './fixtures';

/** The device-pixel columns a set of spans covers, per "y1,y2,head". */
function coverage(spans: readonly ArrowSpan[], dpr: number): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const s of spans) {
    const key = `${s.y1},${s.y2},${s.head}`;
    const set = out.get(key) ?? new Set<number>();
    out.set(key, set);
    for (let c = Math.round(s.left * dpr); c < Math.round(s.right * dpr); c++) {
      assert.ok(!set.has(c), `column ${c} of ${key} is in two spans`);
      set.add(c);
    }
  }
  return out;
}

/** Whether (x, y) is inside or on the convex polygon `xy` (counter-clockwise x, y pairs). */
function inside(xy: readonly number[], x: number, y: number): boolean {
  const n = xy.length / 2;
  for (let i = 0; i < n; i++) {
    const [ax, ay, bx, by] = [xy[2 * i], xy[2 * i + 1], xy[(2 * ((i + 1) % n))], xy[2 * ((i + 1) % n) + 1]];
    if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) < -1e-9) return false;
  }
  return true;
}

describe('webview arrow spans', () => {
  it('merges vertical lines in touching pixel columns, and only those with the same ends and head', () => {
    const spans = new ArrowSpans(1);
    for (const x of [10.5, 11.5, 12.4, 14.5]) spans.add(x, 20, 300, true);
    spans.add(13.5, 20, 300, false); // no head: not with its neighbours
    spans.add(11.5, 20, 301, true); // another end
    spans.add(11.6, 20, 300, true); // the same column again
    const list = spans.spans().sort((a, b) => a.y2 - b.y2 || a.left - b.left || Number(a.head) - Number(b.head));
    assert.deepStrictEqual(
      list.map((s) => [s.left, s.right, s.firstX, s.lastX, s.y1, s.y2, s.head]),
      [
        [10, 13, 10.5, 12.5, 20, 300, true],
        [13, 14, 13.5, 13.5, 20, 300, false],
        [14, 15, 14.5, 14.5, 20, 300, true],
        [11, 12, 11.5, 11.5, 20, 301, true],
      ],
    );
  });

  it('covers exactly the device pixels of the lines it merges, at any pixel ratio', () => {
    const random = rng(7);
    for (const dpr of [1, 1.25, 2, 3]) {
      for (const lineWidth of [1, 1.5]) {
        const spans = new ArrowSpans(dpr, lineWidth);
        const expected = new Map<string, Set<number>>();
        const width = Math.max(1, Math.round(lineWidth * dpr));
        for (let i = 0; i < 400; i++) {
          const x = 100 + random() * 60;
          const [y1, y2] = [[0, 500], [500, 0], [0, 200]][Math.floor(random() * 3)];
          const head = random() < 0.7;
          spans.add(x, y1, y2, head);
          const key = `${y1},${y2},${head}`;
          const set = expected.get(key) ?? new Set<number>();
          expected.set(key, set);
          const left = Math.round((x - lineWidth / 2) * dpr);
          for (let c = left; c < left + width; c++) set.add(c);
        }
        const got = coverage(spans.spans(), dpr);
        assert.deepStrictEqual([...got.keys()].sort(), [...expected.keys()].sort());
        for (const [key, set] of expected) assert.deepStrictEqual([...got.get(key)!].sort((a, b) => a - b), [...set].sort((a, b) => a - b), `${key} at ${dpr}×`);
      }
    }
  });

  it('gives nothing for no lines', () => {
    assert.deepStrictEqual(new ArrowSpans(2).spans(), []);
  });

  it("draws a span's heads as the union of its lines' heads", () => {
    const down: ArrowSpan = { left: 10, right: 20, firstX: 10.5, lastX: 19.5, y1: 0, y2: 100, head: true };
    const up: ArrowSpan = { ...down, y1: 100, y2: 0 };
    for (const span of [down, up]) {
      const hull = spanHead(span, 6, 5);
      const ends = [...arrowHead(10.5, span.y1, 10.5, span.y2, 6, 5), ...arrowHead(19.5, span.y1, 19.5, span.y2, 6, 5)];
      // Every corner of the hull is a corner of the first or the last head…
      for (let i = 0; i < hull.length; i += 2) {
        assert.ok(
          ends.some((v, j) => j % 2 === 0 && Math.abs(v - hull[i]) < 1e-9 && Math.abs(ends[j + 1] - hull[i + 1]) < 1e-9),
          `corner ${hull[i]},${hull[i + 1]}`,
        );
      }
      assert.strictEqual(hull.length, 8); // a trapezoid: two tips, two outer wings
      // …and every line's head between them lies inside it.
      for (let x = 10.5; x <= 19.5; x += 0.25) {
        const h = arrowHead(x, span.y1, x, span.y2, 6, 5);
        for (let i = 0; i < 6; i += 2) assert.ok(inside(hull, h[i], h[i + 1]), `head at ${x}: ${h[i]},${h[i + 1]}`);
      }
      // The tip stops short of the end by the inset.
      assert.ok(Math.abs(Math.min(...hull.filter((_, i) => i % 2 === 1).map((y) => Math.abs(y - span.y2))) - 6) < 1e-9);
    }
    // One line: its own head.
    const one: ArrowSpan = { left: 10, right: 11, firstX: 10.5, lastX: 10.5, y1: 0, y2: 50, head: true };
    const single = spanHead(one, 6, 5);
    const own = arrowHead(10.5, 0, 10.5, 50, 6, 5);
    assert.strictEqual(single.length, 6);
    for (let i = 0; i < 6; i += 2) assert.ok(own.some((v, j) => j % 2 === 0 && Math.abs(v - single[i]) < 1e-9 && Math.abs(own[j + 1] - single[i + 1]) < 1e-9));
  });

  it('finds convex hulls', () => {
    assert.deepStrictEqual(convexHull([0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 0]), [0, 0, 2, 0, 2, 2, 0, 2]);
    assert.deepStrictEqual(convexHull([3, 4]), [3, 4]);
  });
});
