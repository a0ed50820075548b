import * as assert from 'assert';
import {
  FIT_MARGIN,
  Viewport,
  clampView,
  fitView,
  panBy,
  reveal,
  timeToX,
  toEnd,
  track,
  viewEnd,
  xToTime,
  zoomAt,
} from '../../src/webview/viewport';

const close = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≈ ${b}`);

describe('webview viewport', () => {
  it('fits the whole run with a small margin', () => {
    const v = fitView(2000, 1000);
    assert.strictEqual(v.mode, 'fit');
    close(timeToX(v, 0), 1000 * FIT_MARGIN);
    close(timeToX(v, 2000), 1000 * (1 - FIT_MARGIN));
    close(xToTime(v, timeToX(v, 1234)), 1234);
    // An empty run still gets a 1 ms axis.
    const empty = fitView(0, 1000);
    assert.ok(Number.isFinite(empty.pxPerMs) && empty.pxPerMs > 0);
  });

  it('zooms around the anchor: the time under the pointer stays under it', () => {
    const v = fitView(2000, 1000);
    const anchorX = 300;
    const t = xToTime(v, anchorX);
    const z = zoomAt(v, 4, anchorX, 2000);
    close(z.pxPerMs, v.pxPerMs * 4);
    close(xToTime(z, anchorX), t);
    assert.strictEqual(z.mode, 'free');
    const back = zoomAt(z, 1 / 4, anchorX, 2000);
    close(back.pxPerMs, v.pxPerMs);
  });

  it('limits zoom: at most 1 ns per pixel, at least the whole run in a quarter of the plot', () => {
    const v = fitView(2000, 1000);
    assert.strictEqual(zoomAt(v, 1e12, 500, 2000).pxPerMs, 1e6);
    close(zoomAt(v, 1e-9, 500, 2000).pxPerMs, (1000 / 2000) * 0.25);
  });

  it('pans by pixels and keeps at least half the plot on the run', () => {
    const v = fitView(2000, 1000);
    const z = zoomAt(v, 10, 500, 2000);
    const p = panBy(z, 100, 2000);
    close(p.start, z.start + 100 / z.pxPerMs);
    const far = panBy(z, 1e9, 2000);
    close(far.start, 2000 - (1000 / z.pxPerMs) * 0.5);
    const before = panBy(z, -1e9, 2000);
    close(before.start, -(1000 / z.pxPerMs) * 0.5);
    assert.deepStrictEqual(clampView(v, 2000), v);
  });

  it('follows the live end until the user pans away, and again after End', () => {
    let v: Viewport = fitView(1000, 1000);
    // Fit mode refits as the run grows.
    v = track(v, 4000);
    assert.strictEqual(v.mode, 'fit');
    close(timeToX(v, 4000), 1000 * (1 - FIT_MARGIN));
    // Zooming in near the end, with the end still in view: follow.
    v = zoomAt(v, 4, 990, 4000, true);
    assert.strictEqual(v.mode, 'follow');
    const zoom = v.pxPerMs;
    v = track(v, 6000);
    assert.strictEqual(v.pxPerMs, zoom, 'following keeps the zoom');
    assert.ok(viewEnd(v) >= 6000 && v.start <= 6000, 'the live end is in view');
    // Panning back in time: free, and the view stays put while the run grows.
    v = panBy(v, -600, 6000, true);
    assert.strictEqual(v.mode, 'free');
    const start = v.start;
    v = track(v, 9000);
    assert.strictEqual(v.start, start);
    // End jumps to the live end and follows again.
    v = toEnd(v, 9000);
    assert.strictEqual(v.mode, 'follow');
    assert.ok(viewEnd(v) >= 9000);
    v = track(v, 12000);
    assert.ok(viewEnd(v) >= 12000);
  });

  it('takes a new width on resize, refitting only in fit mode', () => {
    const fit = track(fitView(2000, 1000), 2000, 500);
    close(timeToX(fit, 2000), 500 * (1 - FIT_MARGIN));
    const free = { ...zoomAt(fitView(2000, 1000), 3, 0, 2000), mode: 'free' as const };
    const resized = track(free, 2000, 500);
    assert.strictEqual(resized.start, free.start);
    assert.strictEqual(resized.pxPerMs, free.pxPerMs);
    assert.strictEqual(resized.width, 500);
  });

  it('reveals a span: pans to it if it fits, zooms out if it does not', () => {
    const v = zoomAt(fitView(10_000, 1000), 20, 0, 10_000); // about 500 ms visible
    const shown = reveal(v, 8000, 8100, 10_000);
    assert.ok(shown.start <= 8000 && viewEnd(shown) >= 8100);
    assert.strictEqual(shown.pxPerMs, v.pxPerMs);
    const wide = reveal(v, 1000, 9000, 10_000);
    assert.ok(wide.start <= 1000 && viewEnd(wide) >= 9000);
    assert.strictEqual(reveal(shown, 8000, 8100, 10_000), shown, 'already visible: unchanged');
  });
});
