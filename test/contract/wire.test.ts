/**
 * The contract between the program and the host: every event type survives the binary wire exactly as the contract
 * describes it, frames may arrive split anywhere, and a full sink drops (and counts) events without losing the
 * strings that surviving events need.
 */
import * as assert from 'assert';
import { SourceSite, TRACE_EVENT_TYPES, TraceEvent } from '../../src/contract/trace';
import { EventCode, ResourceCode, SuspendCode, UNTIL_NOW, WakeCode, WarningCode, WireDecoder } from '../../src/contract/wire';
import { Recorder } from '../../src/runtime/recorder';
import { MemorySink } from '../memorySink';

const SITE: SourceSite = { file: '/p/prog.ts', line: 12, column: 5 };
const resolveSite = (id: number): SourceSite | null => (id === 7 ? SITE : null);

/** The recorder, its time for the next hot-path event set to `t` (as the loop does before `suspended`). */
function at(rec: Recorder, t: number): Recorder {
  rec.t = t;
  return rec;
}

function decodeAll(bytes: Uint8Array, chunk = bytes.length): { events: TraceEvent[]; decoder: WireDecoder } {
  const events: TraceEvent[] = [];
  const decoder = new WireDecoder(resolveSite, (e) => events.push(e));
  for (let i = 0; i < bytes.length; i += chunk) decoder.feed(bytes.subarray(i, i + chunk));
  return { events, decoder };
}

/** One event of every type, recorded the way the runtime records them, and what the contract says it means. */
function recordOneOfEach(rec: Recorder): TraceEvent[] {
  const E = EventCode;
  rec.ev(E['task.created'], 0, 1, rec.intern('main'), 0, 7, rec.intern('main'));
  rec.ev(E['task.created'], 0.5, 2, rec.intern('Task-2'), 1, 0, 0);
  rec.ev(E['task.started'], 1, 1);
  rec.ev(E['task.suspended'], 2, 1, SuspendCode.sleep, 7, 1.5, 1502);
  rec.ev(E['task.suspended'], 2.5, 2, SuspendCode.gather, 0, rec.intern('[3,4]'));
  rec.ev(E['task.suspended'], 2.6, 2, SuspendCode['queue.get'], 0, 1);
  rec.ev(E['task.suspended'], 2.7, 2, SuspendCode.external, 0);
  rec.ev(E['task.resumed'], 3, 1, WakeCode.timer, 0);
  rec.ev(E['task.resumed'], 3.1, 2, WakeCode.result, 1);
  rec.ev(E['task.resumed'], 3.2, 2, WakeCode.none, 0);
  rec.ev(E['task.cancelRequested'], 4, 2, 1, rec.str('stop it'), 7);
  rec.ev(E['task.done'], 5, 1, rec.str('{"a":1}'));
  rec.ev(E['task.failed'], 6, 2, rec.str(JSON.stringify({ name: 'RangeError', message: 'bad', stack: 'RangeError: bad' })));
  rec.ev(E['task.cancelled'], 7, 2, 0);
  rec.ev(E['resource.created'], 8, 1, ResourceCode.queue, rec.intern('Queue-1'), 7, 10);
  rec.ev(E['resource.created'], 8.5, 2, ResourceCode.lock, rec.intern('Lock-2'), 0, NaN);
  rec.ev(E['queue.put'], 9, 1, 1, 1, rec.str('42'), 1);
  rec.ev(E['queue.get'], 10, 1, 2, 0, rec.str('42'), 1);
  rec.ev(E['resource.acquired'], 11, 2, 1);
  rec.ev(E['resource.released'], 12, 2, 0);
  rec.ev(E['resource.signalled'], 13, 2, 1, 2, 3);
  rec.ev(E['output'], 14, 1, 0, rec.str('hello\n'));
  rec.ev(E['warning'], 15, WarningCode['eager-promise'], 2, 7, rec.str('careful'));
  rec.ev(E['run.finished'], 16, 0, 0, 0);
  return [
    { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: SITE, coroutine: 'main' },
    { t: 0.5, type: 'task.created', task: 2, name: 'Task-2', parent: 1, site: null },
    { t: 1, type: 'task.started', task: 1 },
    { t: 2, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 1.5, until: 1502 }, site: SITE },
    { t: 2.5, type: 'task.suspended', task: 2, reason: { kind: 'gather', targets: [3, 4] }, site: null },
    { t: 2.6, type: 'task.suspended', task: 2, reason: { kind: 'queue.get', resource: 1 }, site: null },
    { t: 2.7, type: 'task.suspended', task: 2, reason: { kind: 'external' }, site: null },
    { t: 3, type: 'task.resumed', task: 1, cause: { kind: 'timer' } },
    { t: 3.1, type: 'task.resumed', task: 2, cause: { kind: 'result', by: 1 } },
    { t: 3.2, type: 'task.resumed', task: 2 },
    { t: 4, type: 'task.cancelRequested', task: 2, by: 1, message: 'stop it', site: SITE },
    { t: 5, type: 'task.done', task: 1, result: '{"a":1}' },
    { t: 6, type: 'task.failed', task: 2, error: { name: 'RangeError', message: 'bad', stack: 'RangeError: bad' } },
    { t: 7, type: 'task.cancelled', task: 2, message: null },
    { t: 8, type: 'resource.created', resource: 1, kind: 'queue', name: 'Queue-1', site: SITE, capacity: 10 },
    { t: 8.5, type: 'resource.created', resource: 2, kind: 'lock', name: 'Lock-2', site: null },
    { t: 9, type: 'queue.put', resource: 1, task: 1, size: 1, item: '42', seq: 1 },
    { t: 10, type: 'queue.get', resource: 1, task: 2, size: 0, item: '42', seq: 1 },
    { t: 11, type: 'resource.acquired', resource: 2, task: 1 },
    { t: 12, type: 'resource.released', resource: 2, task: null },
    { t: 13, type: 'resource.signalled', resource: 2, task: 1, action: 'notify', count: 3 },
    { t: 14, type: 'output', task: 1, stream: 'stdout', text: 'hello\n' },
    { t: 15, type: 'warning', kind: 'eager-promise', task: 2, site: SITE, message: 'careful' },
    { t: 16, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 },
  ];
}

describe('contract: the binary wire', () => {
  it('decodes every event type exactly as the contract describes it', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink);
    const expected = recordOneOfEach(rec);
    rec.flush();
    const { events } = decodeAll(sink.bytes());
    assert.deepStrictEqual(events, expected);
    // Every type of the contract is covered by this test.
    assert.deepStrictEqual([...new Set(events.map((e) => e.type))].sort(), [...TRACE_EVENT_TYPES].sort());
  });

  it('reassembles frames split at any byte', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink, 4); // tiny ring: many frames
    const expected = recordOneOfEach(rec);
    rec.flush();
    for (const chunk of [1, 3, 7, 64]) {
      assert.deepStrictEqual(decodeAll(sink.bytes(), chunk).events, expected, `chunk size ${chunk}`);
    }
  });

  it('counts the events a full sink drops, keeps strings, and reports the count in the stats frame', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink, 2);
    rec.ev(EventCode['task.created'], 0, 1, rec.intern('kept-name'), 0, 0, 0);
    rec.flush();
    sink.accept = false;
    for (let i = 0; i < 10; i++) rec.ev(EventCode['output'], 1, 1, 0, rec.str(`lost ${i}`));
    rec.flush();
    sink.accept = true;
    rec.ev(EventCode['output'], 2, 1, 0, rec.str('after the gap'));
    rec.close({ pendingTasks: 3 });
    const { events, decoder } = decodeAll(sink.bytes());
    assert.strictEqual(rec.droppedEvents, 10);
    assert.deepStrictEqual(decoder.stats, { pendingTasks: 3, droppedEvents: 10 });
    assert.deepStrictEqual(
      events.map((e) => (e.type === 'output' ? e.text : e.type === 'task.created' ? e.name : e.type)),
      ['kept-name', 'after the gap'],
    );
  });

  it('gives a yield resume carried by the suspension before it its own event, in order, wherever frames split', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink, 3);
    const E = EventCode;
    at(rec, 1).suspended(1, SuspendCode.sleep, 7, 0, 1); // task 1 yields ...
    at(rec, 1).resumedByYield(2); // ... task 2 resumes at once: rides in the same row
    at(rec, 2).suspended(2, SuspendCode.sleep, 0, 0, 2);
    at(rec, 2.5).resumedByYield(1); // a later time: its own row
    at(rec, 3).suspended(1, SuspendCode.sleep, 0, 0, 3); // third row: the ring (3 rows) is sent with it
    at(rec, 3).resumedByYield(2); // the suspension left in the previous frame: its own row
    rec.ev(E['task.suspended'], 4, 2, SuspendCode.sleep, 0, 0, 4); // not through suspended(): nothing rides on it
    at(rec, 4).resumedByYield(1);
    at(rec, 5).suspended(1, SuspendCode.sleep, 0, 0, 5);
    rec.ev(E['task.started'], 5, 3); // something in between: the resume after it is its own row
    at(rec, 5).resumedByYield(2);
    at(rec, 6.0012345).suspended(2, SuspendCode.sleep, 0, 0, UNTIL_NOW); // until: its own time, to the µs
    rec.flush();
    const expected: TraceEvent[] = [
      { t: 1, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 0, until: 1 }, site: SITE },
      { t: 1, type: 'task.resumed', task: 2, cause: { kind: 'yield' } },
      { t: 2, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0, until: 2 }, site: null },
      { t: 2.5, type: 'task.resumed', task: 1, cause: { kind: 'yield' } },
      { t: 3, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 0, until: 3 }, site: null },
      { t: 3, type: 'task.resumed', task: 2, cause: { kind: 'yield' } },
      { t: 4, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0, until: 4 }, site: null },
      { t: 4, type: 'task.resumed', task: 1, cause: { kind: 'yield' } },
      { t: 5, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 0, until: 5 }, site: null },
      { t: 5, type: 'task.started', task: 3 },
      { t: 5, type: 'task.resumed', task: 2, cause: { kind: 'yield' } },
      { t: 6.001, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0, until: 6.001 }, site: null },
    ];
    assert.strictEqual(rec.eventCount, expected.length);
    for (const chunk of [1, 5, 64, sink.bytes().length]) {
      const { events, decoder } = decodeAll(sink.bytes(), chunk);
      assert.deepStrictEqual(events, expected, `chunk size ${chunk}`);
      assert.strictEqual(decoder.eventCount, expected.length);
    }
    // Row consumers see one row per event too, with nothing left in the carrying row's column.
    const rowTypes: number[] = [];
    const decoder = new WireDecoder(resolveSite, null, (rows, count) => {
      for (let i = 0; i < count; i++) rowTypes.push(rows[i * 8], rows[i * 8 + 7]);
    });
    decoder.feed(sink.bytes());
    assert.deepStrictEqual(
      rowTypes.filter((_, i) => i % 2 === 0),
      expected.map((e) => E[e.type]),
    );
    assert.ok(rowTypes.filter((_, i) => i % 2 === 1).every((c) => c === 0));
  });

  it('counts a carried resume among the events a full sink drops', () => {
    const sink = new MemorySink();
    const rec = new Recorder(sink, 4);
    sink.accept = false;
    at(rec, 1).suspended(1, SuspendCode.sleep, 0, 0, 1);
    at(rec, 1).resumedByYield(2);
    at(rec, 1).suspended(2, SuspendCode.sleep, 0, 0, 1);
    rec.flush();
    assert.strictEqual(rec.droppedEvents, 3);
  });

  it('rejects a corrupt stream with an error, not a crash', () => {
    const bad = new Uint8Array(16);
    bad[0] = 8; // length 8
    bad[4] = 99; // unknown frame kind
    assert.throws(() => decodeAll(bad), /corrupt event stream/);
  });
});
