/**
 * The trace file's lines written straight from wire rows are byte for byte the lines `eventToJson` writes for the
 * decoded events: every event type, odd numbers (fractions, NaN, huge, negative), unicode and escaped strings.
 */
import * as assert from 'assert';
import { SourceSite, TraceEvent } from '../../src/contract/trace';
import { EventCode, ROW_WIDTH, ResourceCode, SuspendCode, WakeCode, WarningCode, WireDecoder } from '../../src/contract/wire';
import { Recorder } from '../../src/runtime/recorder';
import { MemorySink } from '../memorySink';
import { RowNdjsonEncoder } from '../../src/runner/rowNdjson';
import { eventToJson } from '../../src/runner/traceFileWriter';

const utf8 = new TextDecoder();
const SITE: SourceSite = { file: '/p/prög "x".ts', line: 12, column: 5 };
const sites = new Map<number, SourceSite | null>([
  [7, SITE],
  [-3, { file: '/dyn.ts', line: 1, column: 1 }],
]);
const resolveSite = (id: number): SourceSite | null => sites.get(id) ?? null;

/** Records rows through `record`, then checks every row's line against `eventToJson(decodeRow(row))`. */
function checkLines(record: (rec: Recorder) => void, clampTo?: number): number {
  const sink = new MemorySink();
  const rec = new Recorder(sink, 5);
  record(rec);
  rec.flush();
  const expected: string[] = [];
  const actual: string[] = [];
  let encoder!: RowNdjsonEncoder;
  const decoder: WireDecoder = new WireDecoder(resolveSite, null, (rows, count) => {
    for (let i = 0; i < count * ROW_WIDTH; i += ROW_WIDTH) {
      const event: TraceEvent = decoder.decodeRow(rows, i);
      let micros = Math.round(rows[i + 1] * 1000);
      if (clampTo !== undefined && micros < clampTo * 1000) micros = clampTo * 1000;
      event.t = micros / 1000;
      expected.push(eventToJson(event));
      encoder.add(rows, i, micros);
    }
  });
  encoder = new RowNdjsonEncoder(decoder);
  for (const frame of sink.frames) decoder.feed(frame);
  // JSON escapes newlines, so the text splits into exactly its lines.
  const text = utf8.decode(encoder.take());
  assert.ok(text.endsWith('\n'));
  actual.push(...text.slice(0, -1).split('\n'));
  assert.deepStrictEqual(actual, expected);
  return actual.length;
}

const ODD_NUMBERS = [0, 1, 7, 42.5, 1e-7, 0.000001, 0.1 + 0.2, 1278.6478339999999, 1278.647583, 999_999_999.999999, 2 ** 31, 2 ** 31 - 1, 2 ** 53 - 1, 2 ** 53, 1e21, 123456789012.345, -1, -0.5, NaN, Infinity, -Infinity];

describe('runner: trace lines from wire rows', () => {
  it('writes every event type as eventToJson does', () => {
    const n = checkLines((rec) => {
      const E = EventCode;
      rec.ev(E['task.created'], 0, 1, rec.intern('main'), 0, 7, rec.intern('main'));
      rec.ev(E['task.created'], 0.5, 2, 0, 1, 0, 0);
      rec.ev(E['task.created'], 0.5, 3, rec.intern('naïve "task"\n🧵'), 1, -3, rec.intern(''));
      rec.ev(E['task.started'], 1, 1);
      rec.ev(E['task.suspended'], 2, 1, SuspendCode.sleep, 7, 1.5, 1502.25);
      rec.ev(E['task.suspended'], 2.5, 2, SuspendCode.gather, 0, rec.intern('[3,4]'));
      rec.ev(E['task.suspended'], 2.5, 2, SuspendCode.wait, 0, rec.intern('[3]'));
      rec.ev(E['task.suspended'], 2.5, 2, SuspendCode.asCompleted, 0, 0);
      rec.ev(E['task.suspended'], 2.6, 2, SuspendCode.task, -3, 3);
      for (const kind of ['queue.get', 'queue.put', 'queue.join', 'lock', 'semaphore', 'event', 'condition'] as const) {
        rec.ev(E['task.suspended'], 2.6, 2, SuspendCode[kind], 7, 4);
      }
      rec.ev(E['task.suspended'], 2.7, 2, SuspendCode.future, 0);
      rec.ev(E['task.suspended'], 2.7, 2, SuspendCode.external, 7);
      for (const wake of [WakeCode.none, WakeCode.timer, WakeCode.result, WakeCode.exception, WakeCode.cancel, WakeCode.yield, WakeCode.external]) {
        rec.ev(E['task.resumed'], 3, 1, wake, 0);
        rec.ev(E['task.resumed'], 3, 1, wake, 2);
      }
      rec.ev(E['task.cancelRequested'], 4, 2, 1, rec.str('stop it'), 7);
      rec.ev(E['task.done'], 5, 1, rec.str('{"a":1} ✓'));
      rec.ev(E['task.done'], 5, 2, 0);
      rec.ev(E['task.failed'], 6, 2, rec.str(JSON.stringify({ name: 'RangeError', message: 'bad', stack: 'RangeError: bad' })));
      rec.ev(E['task.cancelled'], 7, 2, 0);
      rec.ev(E['resource.created'], 8, 1, ResourceCode.queue, rec.intern('Queue-1'), 7, 10);
      rec.ev(E['resource.created'], 8.5, 2, ResourceCode.lock, 0, 0, NaN);
      rec.ev(E['queue.put'], 9, 1, 1, 1, rec.str('42 "x" é'), 1);
      rec.ev(E['queue.put'], 9, 1, 0, 1, -1, 2, 3.25);
      rec.ev(E['queue.get'], 10, 1, 2, 0, -1, 2, -7);
      rec.ev(E['queue.get'], 10, 1, 2, 0, 0, 3);
      rec.ev(E['resource.acquired'], 11, 2, 1);
      rec.ev(E['resource.released'], 12, 2, 0);
      rec.ev(E['resource.signalled'], 13, 2, 1, 2, 3);
      rec.ev(E['output'], 14, 1, 0, rec.str('hello\n\u0001\u2028'));
      rec.ev(E['warning'], 15, WarningCode['eager-promise'], 2, 7, rec.str('careful'));
      rec.ev(E['run.finished'], 16, 0, 0, 0);
    });
    assert.ok(n > 40);
  });

  it('writes odd numbers as eventToJson does, in every numeric field of the fast lines', () => {
    checkLines((rec) => {
      const E = EventCode;
      for (const x of ODD_NUMBERS) {
        rec.ev(E['task.created'], 1, x, 0, x, 7, 0);
        rec.ev(E['task.started'], 1, x);
        rec.ev(E['task.suspended'], 1, x, SuspendCode.sleep, 7, x, x);
        rec.ev(E['task.suspended'], 1, x, SuspendCode.task, 0, x);
        rec.ev(E['task.suspended'], 1, x, SuspendCode['queue.put'], 0, x);
        rec.ev(E['task.resumed'], 1, x, WakeCode.result, x);
        rec.ev(E['task.done'], 1, x, 0);
        rec.ev(E['queue.put'], 1, x, x, x, -1, x, x);
        rec.ev(E['queue.get'], 1, x, x, x, 0, x);
        rec.ev(E['resource.acquired'], 1, x, x);
        rec.ev(E['resource.released'], 1, x, x);
      }
    });
  });

  it('writes odd times as eventToJson does, and the clamped time it is given', () => {
    checkLines((rec) => {
      for (const t of [0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.12, 0.123, 1.999, 999.9995, 1e9 + 0.001, 1e12 + 0.5, 1e13, -5, NaN, Infinity]) {
        rec.ev(EventCode['task.started'], t, 1);
        rec.ev(EventCode['task.resumed'], t, 1, WakeCode.timer, 0);
      }
    });
    checkLines((rec) => {
      for (const t of [0, 1, 2.5, 3]) rec.ev(EventCode['task.started'], t, 1);
    }, 2.25);
  });

  it('writes random times as String(micros / 1000) does', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const samples = [0, 1, 9, 10, 999, 1000, 1001, 123456, 2 ** 31, 2 ** 31 + 1, 1e15, 1e15 + 1];
    for (let i = 0; i < 20_000; i++) samples.push(Math.floor(random() * 10 ** Math.floor(random() * 16)));
    checkLines((rec) => {
      for (const m of samples) rec.ev(EventCode['task.started'], m / 1000, 1);
    });
  });

  it('writes random fractional until times as String does', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = random() * 10 ** Math.floor(random() * 12);
      values.push(x, Math.round(x * 1e6) / 1e6, Math.round(x * 1e3) / 1e3, x + 0.1 + 0.2);
    }
    checkLines((rec) => {
      for (const x of values) rec.ev(EventCode['task.suspended'], 1, 1, SuspendCode.sleep, 7, 0, x);
    });
  });
});
