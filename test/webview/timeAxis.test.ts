import * as assert from 'assert';
import { axisTicks, decimalsFor, formatTick, niceStep, unitForStep } from '../../src/webview/timeAxis';

describe('webview time axis', () => {
  it('picks 1/2/5 steps', () => {
    assert.strictEqual(niceStep(0.7), 1);
    assert.strictEqual(niceStep(1), 1);
    assert.strictEqual(niceStep(1.1), 2);
    assert.strictEqual(niceStep(3), 5);
    assert.strictEqual(niceStep(6), 10);
    assert.strictEqual(niceStep(180), 200);
    assert.strictEqual(niceStep(0.3), 0.5);
    assert.strictEqual(niceStep(0.30000000000000004), 0.5);
    assert.ok(Math.abs(niceStep(0.0002) - 0.0002) < 1e-15);
    assert.strictEqual(niceStep(0), 1e-6, 'never below a nanosecond');
  });

  it('chooses units that adapt to the zoom', () => {
    assert.strictEqual(unitForStep(1000), 's');
    assert.strictEqual(unitForStep(200), 's');
    assert.strictEqual(unitForStep(50), 'ms');
    assert.strictEqual(unitForStep(0.1), 'ms');
    assert.strictEqual(unitForStep(0.05), 'µs');
    assert.strictEqual(decimalsFor(200, 's'), 1);
    assert.strictEqual(decimalsFor(5, 'ms'), 0);
    assert.strictEqual(decimalsFor(0.002, 'µs'), 0);
    assert.strictEqual(decimalsFor(0.0005, 'µs'), 1);
  });

  it('labels ticks readably', () => {
    assert.strictEqual(formatTick(0, 200), '0 s');
    assert.strictEqual(formatTick(1400, 200), '1.4 s');
    assert.strictEqual(formatTick(2000, 1000), '2 s');
    assert.strictEqual(formatTick(35, 5), '35 ms');
    assert.strictEqual(formatTick(1.2, 0.2), '1.2 ms');
    assert.strictEqual(formatTick(0.35, 0.05), '350 µs');
    assert.strictEqual(formatTick(0.0015, 0.0005), '1.5 µs');
    assert.strictEqual(formatTick(-0, 0.05), '0 µs');
  });

  it('places ticks on multiples of the step, at least the label room apart', () => {
    // 2 s over 1000 px: 0.5 px per ms; 90 px of room → 180 ms → 200 ms steps.
    const axis = axisTicks(-20, 2020, 0.5, 90);
    assert.strictEqual(axis.step, 200);
    assert.strictEqual(axis.unit, 's');
    assert.deepStrictEqual(
      axis.ticks.map((t) => t.label),
      ['0 s', '0.2 s', '0.4 s', '0.6 s', '0.8 s', '1.0 s', '1.2 s', '1.4 s', '1.6 s', '1.8 s', '2.0 s'],
    );
    // Zoomed into 10 µs of the run: microseconds.
    const micro = axisTicks(1000, 1000.01, 100_000, 90);
    assert.strictEqual(micro.unit, 'µs');
    assert.ok(micro.ticks.length >= 5 && micro.ticks.length <= 12, `${micro.ticks.length} ticks`);
    assert.ok(micro.ticks.every((t) => t.label.endsWith(' µs')));
    // Panning keeps the ticks where they were.
    const a = axisTicks(0, 2000, 0.5).ticks.map((t) => t.t);
    const b = axisTicks(150, 2150, 0.5).ticks.map((t) => t.t);
    assert.ok(a.includes(1000) && b.includes(1000));
  });

  it('is bounded for a degenerate range', () => {
    assert.deepStrictEqual(axisTicks(5, 5, 1).ticks, []);
    assert.ok(axisTicks(0, 1e12, 1e-9).ticks.length < 100);
  });
});
