import * as assert from 'assert';
import * as fs from 'fs';
import type { TraceEvent } from '../../src/contract/trace';
import {
  EVENT_COLUMNS_VERSION,
  EventColumns,
  EventColumnsEncoder,
  EventColumnsReader,
  decodeEventColumns,
  encodeEventColumns,
  isEventColumns,
} from '../../src/protocol/eventColumns';
import { TRACES, site, trace } from '../webview/fixtures';

/** Through structured clone, as postMessage delivers it. */
function posted(batch: EventColumns): EventColumns {
  return structuredClone(batch);
}

const MIXED: TraceEvent[] = [
  { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: site(3), coroutine: 'main' },
  { t: 0, type: 'task.created', task: 2, name: 'no site', parent: 1, site: null },
  { t: 0.5, type: 'task.started', task: 1 },
  { t: 1, type: 'task.suspended', task: 1, reason: { kind: 'gather', targets: [2, 3] }, site: site(4) },
  { t: 1, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0.25, until: 251 }, site: site(5, 7) },
  { t: 1, type: 'task.suspended', task: 3, reason: { kind: 'queue.get', resource: 1 }, site: site(5, 7) },
  { t: 2, type: 'task.resumed', task: 2, cause: { kind: 'timer' } },
  { t: 2, type: 'task.resumed', task: 3, cause: { kind: 'result', by: 2 } },
  { t: 2, type: 'task.resumed', task: 1 },
  { t: 3, type: 'queue.put', resource: 1, task: null, size: 1, item: '42', seq: 1 },
  { t: 3, type: 'task.failed', task: 2, error: { name: 'RangeError', message: 'bad', stack: 'at x' } },
  { t: 3, type: 'task.cancelRequested', task: 3, by: 1, message: null, site: site(9) },
  { t: 4, type: 'warning', kind: 'deadlock', message: 'x', site: null },
  { t: 4, type: 'warning', kind: 'blocked-loop', task: 1, message: 'y' },
  { t: 5, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 },
];

describe('event columns (the host → webview event batches)', () => {
  for (const name of fs.readdirSync(TRACES).filter((f) => f.endsWith('.cotrace') && !f.startsWith('not-'))) {
    it(`${name}: decodes to the same events after postMessage`, () => {
      let events: TraceEvent[];
      try {
        events = trace(name).events;
      } catch {
        return; // a fixture that is meant not to parse
      }
      assert.deepStrictEqual(decodeEventColumns(posted(encodeEventColumns(events))), events);
    });
  }

  it('keeps optional fields, nulls, arrays, and every nested layout apart', () => {
    const batch = encodeEventColumns(MIXED);
    assert.deepStrictEqual(decodeEventColumns(posted(batch)), MIXED);
    assert.ok(isEventColumns(batch) && batch.count === MIXED.length);
    assert.strictEqual(batch.flat.buffer.byteLength, batch.flat.byteLength, 'flat owns its buffer (transferable)');
  });

  it('reads events copied in another order with the batch’s table and shared objects (rearranged)', () => {
    const batch = encodeEventColumns(MIXED);
    const reader = new EventColumnsReader(batch);
    const first = reader.read(MIXED.length);
    // The events' values, last to first.
    const starts: number[] = [];
    let at = 0;
    for (let e = 0; e < MIXED.length; e++) {
      starts.push(at);
      at += 1 + reader.width(batch.flat[at]);
    }
    const parts = starts.map((from, e) => batch.flat.slice(from, e + 1 < starts.length ? starts[e + 1] : batch.flat.length));
    const flat = new Float64Array(batch.flat.length);
    let to = 0;
    for (const part of parts.reverse()) {
      flat.set(part, to);
      to += part.length;
    }
    const again = reader.rearranged(flat, MIXED.length).read(MIXED.length);
    assert.deepStrictEqual(again, [...MIXED].reverse());
    // A site decoded by both readers is one object (the same sharing as one reader's).
    const site = (e: TraceEvent): unknown => (e as { site?: unknown }).site;
    assert.strictEqual(site(again[MIXED.length - 1 - 5]), site(first[5]));
  });

  it('handles no events, and a range of a list', () => {
    const empty = encodeEventColumns([]);
    assert.strictEqual(empty.count, 0);
    assert.strictEqual(empty.flat.length, 0);
    assert.deepStrictEqual(decodeEventColumns(posted(empty)), []);
    const reader = new EventColumnsReader(empty);
    assert.ok(reader.done);
    assert.deepStrictEqual(reader.read(10), []);
    assert.deepStrictEqual(decodeEventColumns(encodeEventColumns(MIXED, 3, 6)), MIXED.slice(3, 6));
    assert.deepStrictEqual(decodeEventColumns(encodeEventColumns(MIXED, 4, 4)), []);
  });

  it('round-trips unicode names and text, lone surrogates included', () => {
    const names = ['tâche 🧵', '任务-一', 'emoji 👩‍👩‍👧', '\ud800 lone', 'tail \udfff', '', '"quoted" \\ \n\t\u2028', '\u0000nul'];
    const events: TraceEvent[] = names.map((name, i) => ({
      t: i,
      type: 'task.created',
      task: i + 1,
      name,
      parent: null,
      site: { file: `/p/${name}.ts`, line: 1, column: 1 },
    }));
    events.push({ t: 9, type: 'output', task: 1, stream: 'stdout', text: names.join('|') });
    assert.deepStrictEqual(decodeEventColumns(posted(encodeEventColumns(events))), events);
  });

  it('keeps huge, negative, fractional and odd numbers exact', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const events: TraceEvent[] = [
      { t: 0, type: 'task.created', task: big, name: 'x', parent: big - 1, site: { file: 'f', line: 2 ** 40, column: 2 ** 31 + 5 } },
      { t: 1e15 + 0.125, type: 'task.suspended', task: big, reason: { kind: 'sleep', seconds: 1e-9, until: -0.5 }, site: null },
      { t: 123456.789, type: 'queue.get', resource: 2 ** 52, task: null, size: 0, item: '', seq: big },
      { t: 2, type: 'run.finished', exitCode: -1, signal: 'SIGTERM', pendingTasks: 3, droppedEvents: 2 ** 33 },
    ];
    assert.deepStrictEqual(decodeEventColumns(posted(encodeEventColumns(events))), events);
  });

  it('leaves out undefined fields, as JSON does, and reads keys in any order', () => {
    const withUndefined = { t: 0, type: 'task.created', task: 1, name: 'a', parent: null, site: null, coroutine: undefined } as TraceEvent;
    const reordered = { type: 'task.started', task: 1, t: 1 } as TraceEvent;
    const decoded = decodeEventColumns(encodeEventColumns([withUndefined, reordered, { t: 2, type: 'task.started', task: 2 }]));
    assert.deepStrictEqual(decoded, [
      { t: 0, type: 'task.created', task: 1, name: 'a', parent: null, site: null },
      { t: 1, type: 'task.started', task: 1 },
      { t: 2, type: 'task.started', task: 2 },
    ]);
    assert.ok(!('coroutine' in decoded[0]));
  });

  it('stores each distinct string once and shares repeated small objects', () => {
    const events: TraceEvent[] = [];
    for (let i = 0; i < 2000; i++) {
      events.push({ t: i, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: i, until: i * 2 }, site: site(7) });
      events.push({ t: i, type: 'task.resumed', task: 1, cause: { kind: 'timer' } });
    }
    const batch = encodeEventColumns(events);
    assert.deepStrictEqual(JSON.parse(batch.table), ['task.suspended', 'sleep', '/p/prog.ts', 'task.resumed', 'timer']);
    const decoded = decodeEventColumns(posted(batch));
    assert.deepStrictEqual(decoded, events);
    const s0 = decoded[0] as Extract<TraceEvent, { type: 'task.suspended' }>;
    const s1 = decoded[2] as Extract<TraceEvent, { type: 'task.suspended' }>;
    assert.strictEqual(s0.site, s1.site, 'one site object');
    assert.notStrictEqual(s0.reason, s1.reason, 'distinct reasons stay distinct');
    const r0 = decoded[1] as Extract<TraceEvent, { type: 'task.resumed' }>;
    const r1 = decoded[3999] as Extract<TraceEvent, { type: 'task.resumed' }>;
    assert.strictEqual(r0.cause, r1.cause, 'one wake cause object');
  });

  it('decodes a piece at a time to the same events, and encodes one event at a time to the same batch', () => {
    const { events } = trace('08-queue-handoff.cotrace');
    const reader = new EventColumnsReader(posted(encodeEventColumns(events)));
    const pieces: TraceEvent[] = [];
    while (!reader.done) pieces.push(...reader.read(3));
    assert.deepStrictEqual(pieces, events);
    assert.strictEqual(reader.decoded, events.length);
    const encoder = new EventColumnsEncoder(1);
    for (const e of events) encoder.add(e);
    const one = encoder.finish();
    const whole = encodeEventColumns(events);
    assert.deepStrictEqual(Array.from(one.flat), Array.from(whole.flat));
    assert.strictEqual(one.table, whole.table);
  });

  it('rejects what it cannot read, with a message', () => {
    const batch = encodeEventColumns(MIXED);
    assert.throws(() => new EventColumnsReader({ ...batch, version: EVENT_COLUMNS_VERSION + 1 }), /version can read/);
    assert.throws(() => new EventColumnsReader({ ...batch, flat: [1, 2] as unknown as Float64Array }), /version can read/);
    assert.throws(() => decodeEventColumns({ ...batch, flat: batch.flat.slice(0, batch.flat.length - 2) }), /ends/);
    assert.throws(() => decodeEventColumns({ ...batch, count: batch.count - 1 }), /after the last event/);
    assert.throws(() => decodeEventColumns({ ...batch, count: batch.count + 1 }), /ends after/);
    const badShape = batch.flat.slice();
    badShape[0] = 999;
    assert.throws(() => decodeEventColumns({ ...batch, flat: badShape }), /bad shape/);
    assert.throws(() => decodeEventColumns({ ...batch, table: '[]' }), /bad table index/);
    assert.throws(() => decodeEventColumns({ ...batch, table: '{}' }), /not an array/);
    const cyclic = batch.shapes.map((s) => ({ ...s, sub: s.sub.map((x) => (x >= 0 ? batch.shapes.length - 1 : x)) }));
    assert.throws(() => new EventColumnsReader({ ...batch, shapes: cyclic }), /bad nested shape/);
  });
});
