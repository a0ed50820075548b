import * as assert from 'assert';
import * as fs from 'fs';
import type { TraceEvent } from '../../src/contract/trace';
import { EventColumns, EventColumnsEncoder, decodeEventColumns, encodeEventColumns } from '../../src/protocol/eventColumns';
import { TRACES, rng, syntheticTrace, trace } from '../webview/fixtures';
import { legacyEncodeEventColumns } from './legacyEventColumns';

/*
 * The encoder was rewritten for speed; the page reads its output unchanged, so the output must be the one the earlier
 * encoder (kept in legacyEventColumns.ts) gave for any input: the same shapes in the same order, the same table text,
 * the same numbers bit for bit.
 */

function assertSameBatch(actual: EventColumns, expected: EventColumns, what: string): void {
  assert.strictEqual(actual.format, expected.format, what);
  assert.strictEqual(actual.version, expected.version, what);
  assert.strictEqual(actual.count, expected.count, what);
  assert.deepStrictEqual(actual.shapes, expected.shapes, `${what}: shapes`);
  assert.strictEqual(actual.table, expected.table, `${what}: table`);
  assert.strictEqual(actual.flat.length, expected.flat.length, `${what}: flat length`);
  const a = new Uint8Array(actual.flat.buffer, actual.flat.byteOffset, actual.flat.byteLength);
  const b = new Uint8Array(expected.flat.buffer, expected.flat.byteOffset, expected.flat.byteLength);
  assert.ok(Buffer.from(a).equals(Buffer.from(b)), `${what}: flat bytes`);
  assert.strictEqual(actual.flat.buffer.byteLength, actual.flat.byteLength, `${what}: flat owns its buffer`);
}

function assertSameEncoding(events: readonly TraceEvent[], what: string, piece = events.length): void {
  for (let from = 0; from < events.length || from === 0; from += Math.max(1, piece)) {
    const to = Math.min(events.length, from + piece);
    assertSameBatch(encodeEventColumns(events, from, to), legacyEncodeEventColumns(events, from, to), `${what} [${from}, ${to})`);
    if (events.length === 0) break;
  }
  const one = new EventColumnsEncoder(1);
  for (const e of events) one.add(e);
  assertSameBatch(one.finish(), legacyEncodeEventColumns(events), `${what}, one event at a time`);
}

class NotPlain {
  constructor(readonly x: number) {}
}

/** Events of every layout the encoder might meet, valid or not: it is generic over the contract. */
function variedEvents(count: number, seed: number): TraceEvent[] {
  const random = rng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const keys = ['t', 'type', 'task', 'site', 'reason', 'cause', 'name', '', '"', '{', '#', '$', '}', '1', '0', 'kind', 'a b'];
  // Long strings equal at both ends (the encoder's string hash reads only the ends of long strings).
  const middle = (i: number): string => `${'x'.repeat(40)}${i}${'y'.repeat(40)}`;
  const strings = [
    'task.created', 'task.started', 'task.suspended', 'task.resumed', 'queue.put', 'queue.get', 'output', 'task.done',
    'task.failed', 'task.cancelled', 'warning', 'run.finished', 'resource.created', 'lock.acquired', '', 'é', '🧵',
    '\ud800', 'null', '1', '01', middle(1), middle(2), middle(3),
  ];
  const scalar = (depth: number): unknown => {
    const r = random();
    if (r < 0.25) return pick([0, 1, -1, 0.5, 1e-9, 1e21, -0, NaN, Infinity, -Infinity, 2 ** 53, 123.456]);
    // The same text in a new string object each time, as a parsed trace has it.
    if (r < 0.55) return (' ' + pick(strings)).slice(1);
    if (r < 0.6) return `unique ${Math.floor(random() * 1e9)}`;
    if (r < 0.65) return null;
    if (r < 0.68) return random() < 0.5;
    if (r < 0.7) return undefined;
    if (r < 0.73) return [1, 'two', null, { three: 3 }].slice(0, 1 + Math.floor(random() * 4));
    if (r < 0.75) return new NotPlain(depth);
    if (r < 0.77) return new Date(0);
    if (depth > 3) return 7;
    if (r < 0.8) {
      const bare = Object.create(null) as Record<string, unknown>;
      bare.kind = scalar(depth + 1);
      return bare;
    }
    return object(depth + 1);
  };
  const object = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    const n = Math.floor(random() * (depth === 0 ? 7 : 4));
    for (let k = 0; k < n; k++) o[pick(keys)] = scalar(depth);
    return o;
  };
  const events: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.5) {
      // Mostly event-like: the usual keys first, in one of two orders.
      const e: Record<string, unknown> = random() < 0.8 ? { t: i / 7, type: pick(strings) } : { type: pick(strings), t: i };
      Object.assign(e, object(0));
      events.push(e);
    } else if (r < 0.9) events.push(object(0));
    else if (r < 0.95) {
      // Inherited enumerable keys are visited by for…in, and were encoded.
      const e = Object.create({ inherited: 'yes', n: 1 }) as Record<string, unknown>;
      e.t = i;
      events.push(e);
    } else events.push(JSON.parse('{"__proto__": {"kind": "own"}, "t": 1, "type": "x"}'));
  }
  return events as TraceEvent[];
}

describe('event columns: the encoder’s output is the earlier encoder’s', () => {
  for (const name of fs.readdirSync(TRACES).filter((f) => f.endsWith('.cotrace') && !f.startsWith('not-'))) {
    it(`${name}`, () => {
      let events: TraceEvent[];
      try {
        events = trace(name).events;
      } catch {
        return; // a fixture that is meant not to parse
      }
      assertSameEncoding(events, name);
      assertSameEncoding(events, name, 7);
    });
  }

  it('the benchmark’s synthetic trace, in the host’s pieces', () => {
    const { events } = syntheticTrace({ tasks: 1000, events: 120_000 });
    // Parsed, as the host and the benchmark's worker hold it: every string a new object.
    assertSameEncoding(JSON.parse(JSON.stringify(events)) as TraceEvent[], 'synthetic', 50_000);
  });

  it('varied layouts and values: key orders, undefined, deep and bare objects, odd keys, numbers and strings', () => {
    for (const seed of [1, 2, 3, 4]) {
      const events = variedEvents(3000, seed);
      assertSameEncoding(events, `seed ${seed}`);
      assertSameEncoding(events, `seed ${seed}`, 100);
    }
  });

  it('many distinct strings, and more recurring ones at one key than a step remembers', () => {
    const events: TraceEvent[] = [];
    for (let i = 0; i < 6000; i++) {
      events.push({ t: i, type: `type ${i % 20}`, task: i, text: `text ${i >> 1}` } as unknown as TraceEvent);
    }
    assertSameEncoding(events, 'strings');
    assert.deepStrictEqual(decodeEventColumns(encodeEventColumns(events)), events);
  });

  it('no events', () => {
    assertSameEncoding([], 'empty');
  });
});
