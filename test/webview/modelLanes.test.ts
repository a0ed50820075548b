import * as assert from 'assert';
import * as v8 from 'v8';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { ModelBuilder, SEGMENT_STATES, SegmentColumns, TraceModel, buildModel, edges } from '../../src/model/model';
import { LanesEncoder, LanesJson, ModelLanes, TASK_FIELDS, TaskField, encodeModelLanes, isLifecycleEvent, isModelLanes } from '../../src/model/modelLanes';
import { encodeEventColumns } from '../../src/protocol/eventColumns';
import { MessageType } from '../../src/protocol/webviewMessages';
import { MessageInbox, lanesSegments } from '../../src/webview/inbox';
import { TAKE_OVER, TraceSession } from '../../src/webview/session';
import { edgeKey, rng, snapshotOf, syntheticTrace, trace } from './fixtures';

/** A finished trace as a host with its model sends it: the lanes, and the other events in batches. */
function lanesOf(header: TraceHeader, events: readonly TraceEvent[]): { lanes: ModelLanes & { json: string }; others: TraceEvent[]; whole: TraceModel } {
  const whole = buildModel(header, events);
  const others = events.filter((e) => !isLifecycleEvent(e));
  return { lanes: encodeModelLanes(whole, others.length), others, whole };
}

function showLanes(header: TraceHeader, lanes: ModelLanes, others: TraceEvent[], batch: number, piece: number): TraceSession {
  const inbox = new MessageInbox();
  inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(others, 0, Math.min(batch, others.length)), live: false, lanes });
  for (let i = batch; i < others.length; i += batch) {
    inbox.push({ type: MessageType.Events, events: encodeEventColumns(others, i, Math.min(others.length, i + batch)) });
  }
  inbox.push({ type: MessageType.Finished });
  const session = new TraceSession();
  let next;
  while ((next = inbox.next(piece))) session.handle(next);
  return session;
}

function assertSame(session: TraceSession, whole: TraceModel, what: string): void {
  assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(whole), `${what}: the model`);
  assert.deepStrictEqual(session.edges.all().map(edgeKey).sort(), edges(whole).map(edgeKey).sort(), `${what}: the edges`);
}

describe('a finished trace sent as its model’s lanes', () => {
  it('gives the model and edges of folding every event, for the seed traces and a synthetic one', () => {
    for (const name of ['06-runtime-tasks.cotrace', '07-cancel-timeout.cotrace', '08-queue-handoff.cotrace', '06-truncated.cotrace']) {
      const { header, events } = trace(name);
      const { lanes, others, whole } = lanesOf(header, events);
      assert.ok(others.length < events.length, name);
      assertSame(showLanes(header, lanes, others, 1000, 300), whole, name);
    }
    const { header, events } = syntheticTrace({ tasks: 400, events: 60_000, seed: 31 });
    const { lanes, others, whole } = lanesOf(header, events);
    assert.ok(whole.resources.length > 0 && others.length > 1000, 'queue events travel beside the lanes');
    // Sleeps travel as numbers; each distinct reason, site and wake cause once.
    assert.ok(lanes.sleeps.length > 0);
    assert.ok((JSON.parse(lanes.json) as { objects: unknown[] }).objects.length < lanes.refs.length / 30);
    for (const [batch, piece] of [[others.length, 5000], [2000, 333]]) {
      assertSame(showLanes(header, lanes, others, batch, piece), whole, `batches of ${batch}`);
    }
  });

  it('is handed out as its tasks a few at a time, then its events; the model grows by whole tasks', () => {
    const { header, events } = syntheticTrace({ tasks: 300, events: 30_000, seed: 35 });
    const { lanes, others, whole } = lanesOf(header, events);
    const inbox = new MessageInbox();
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(others), live: false, lanes });
    inbox.push({ type: MessageType.Finished });
    const session = new TraceSession();
    const kinds: string[] = [];
    const taskCounts: number[] = [];
    let next;
    while ((next = inbox.next(500, 2000))) {
      kinds.push(String(next.type));
      if (next.type === TAKE_OVER || next.type === MessageType.Snapshot) {
        // About 2000 segments (the last task makes it more), or one task that alone has more.
        const piece = next.type === TAKE_OVER ? next.piece : next.takeOver!;
        assert.strictEqual(lanesSegments(next), piece.segments);
        assert.ok(piece.segments <= 2000 + 300 || piece.tasks === 1, `a piece of ${piece.segments}`);
      } else assert.strictEqual(lanesSegments(next), 0);
      session.handle(next);
      if (next.type !== MessageType.Finished) taskCounts.push(session.model!.tasks.length);
    }
    const takeOvers = kinds.filter((k) => k === TAKE_OVER).length;
    assert.strictEqual(kinds[0], MessageType.Snapshot);
    assert.ok(takeOvers >= 10, `${takeOvers} pieces of lanes`);
    assert.deepStrictEqual(kinds.slice(1, 1 + takeOvers), Array(takeOvers).fill(TAKE_OVER), 'the lanes come before the events');
    assert.deepStrictEqual(taskCounts.slice(0, takeOvers + 1), taskCounts.slice(0, takeOvers + 1).slice().sort((a, b) => a - b));
    assert.strictEqual(taskCounts[takeOvers], whole.tasks.length);
    assert.strictEqual(kinds[kinds.length - 1], MessageType.Finished);
    assertSame(session, whole, 'in pieces');

    // No tasks at all: still a snapshot (it resets the view), then the events.
    const empty = lanesOf(header, others);
    const inbox2 = new MessageInbox();
    inbox2.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(others), live: false, lanes: empty.lanes });
    const first = inbox2.next(500)!;
    assert.strictEqual(first.type, MessageType.Snapshot);
    const session2 = new TraceSession();
    session2.handle(first);
    while ((next = inbox2.next(500))) session2.handle(next);
    assertSame(session2, empty.whole, 'no tasks');
  });

  it('encodes the same lanes in steps of any size, of the model as it was when it started', () => {
    const { header, events } = syntheticTrace({ tasks: 120, events: 12_000, seed: 36 });
    const { lanes, others, whole } = lanesOf(header, events);
    for (const size of [0, 1, 50, 777]) {
      const encoder = new LanesEncoder(whole, others.length);
      let steps = 0;
      while (!encoder.step(size)) steps++;
      assert.ok(steps > (size < 100 ? 100 : 10), `${steps} steps of ${size}`);
      assert.deepStrictEqual(encoder.result, lanes, `steps of ${size}`);
      assert.strictEqual(encoder.step(size), true, 'done stays done');
    }
    // Events folded into the model meanwhile change nothing: the lanes are of the model the encoder was made from.
    const cut = Math.floor(events.length * 0.6);
    const growing = new ModelBuilder(header);
    for (const e of events.slice(0, cut)) growing.add(e);
    const firstOthers = events.slice(0, cut).filter((e) => !isLifecycleEvent(e)).length;
    const encoder = new LanesEncoder(growing.model(), firstOthers);
    for (let k = 0; k < 5; k++) encoder.step(100);
    for (const e of events.slice(cut)) growing.add(e);
    while (!encoder.step(100));
    assert.deepStrictEqual(encoder.result, encodeModelLanes(buildModel(header, events.slice(0, cut)), firstOthers));
    const none = new LanesEncoder(buildModel(header, []), 0);
    assert.strictEqual(none.step(0) || none.step(0), true);
    assert.strictEqual(none.result!.tasks.length, 0);
  });

  it('keeps the anomalies and the event count of the whole fold', () => {
    const { header, events: clean } = syntheticTrace({ tasks: 80, events: 8_000, seed: 32 });
    const random = rng(9);
    const events = clean.slice();
    for (let k = 0; k < 30; k++) {
      const e = events[Math.floor(random() * events.length)];
      const at = Math.floor(random() * events.length);
      if (k % 3 === 0) events.splice(at, 0, { t: e.t, type: 'task.resumed', task: 3000 + k } as TraceEvent);
      else if (k % 3 === 1) events.splice(at, 0, { t: e.t, type: 'queue.get', resource: 900 + k, task: 1, size: 0, item: 'x', seq: 1 } as TraceEvent);
      else events.splice(at, 0, { ...e } as TraceEvent);
    }
    const { lanes, others, whole } = lanesOf(header, events);
    assert.ok(whole.anomalies.length >= 15, `${whole.anomalies.length} anomalies`);
    assertSame(showLanes(header, lanes, others, 3000, 700), whole, 'with anomalies');
  });

  it('survives a structured clone, and a lane taken over still grows', () => {
    const { header, events } = syntheticTrace({ tasks: 50, events: 5_000, seed: 33 });
    const { lanes, others, whole } = lanesOf(header, events);
    const cloned = v8.deserialize(v8.serialize(lanes)) as ModelLanes;
    assert.ok(isModelLanes(cloned));
    assertSame(showLanes(header, cloned, others, 5000, 5000), whole, 'cloned');
    const builder = ModelBuilder.fromLanes(header, lanes);
    const lane: SegmentColumns = builder.model().tasks[3].lane;
    const n = lane.length;
    const start = lane.start(n - 1);
    for (let i = 0; i < 20; i++) lane.push(start + i + 1, i % 2 ? 'running' : 'waiting', { kind: 'future' }, null);
    assert.strictEqual(lane.length, n + 20);
    assert.strictEqual(lane.start(n - 1), start, 'the segments taken over moved with the lane');
    assert.deepStrictEqual(lane.reason(n + 2), { kind: 'future' });
  });

  it('says the trace cannot be read when the lanes are inconsistent, instead of showing a wrong model', () => {
    const { header, events } = syntheticTrace({ tasks: 30, events: 3_000, seed: 34 });
    const { lanes, others } = lanesOf(header, events);
    const badRef = lanes.segments.slice();
    badRef[badRef.length - 1] = lanes.refs.length; // a ref past the end
    const json = JSON.parse(lanes.json) as LanesJson;
    const withTask = (field: number, value: number, task = 2): Float64Array => {
      const tasks = lanes.tasks.slice();
      tasks[task * TASK_FIELDS + field] = value;
      return tasks;
    };
    const runningState = SEGMENT_STATES.indexOf('running');
    for (const [bad, why] of [
      [{ ...lanes, segments: lanes.segments.slice(0, lanes.segments.length - 3) }, /segments are cut/],
      [{ ...lanes, segments: badRef }, /no ref/],
      [{ ...lanes, refs: Int32Array.from(lanes.refs, (r, i) => (i === 1 ? 1e6 : r)) }, /no object 1000000/],
      [{ ...lanes, json: '{' }, /JSON/],
      [{ ...lanes, tasks: undefined }, /a column or count is missing/],
      [{ ...lanes, refs: Array.from(lanes.refs) }, /a column or count is missing/],
      [{ ...lanes, refs: Int32Array.from(lanes.refs, (r) => (r <= -2 ? -2 - lanes.sleeps.length : r)) }, /no sleep/],
      [{ ...lanes, json: JSON.stringify({ ...json, names: json.names.slice(1) }) }, /tasks do not match/],
      [{ ...lanes, tasks: lanes.tasks.slice(0, lanes.tasks.length - 1) }, /tasks do not match/],
      [{ ...lanes, tasks: withTask(TaskField.id, lanes.tasks[TASK_FIELDS + TaskField.id]) }, /is not one task/],
      [{ ...lanes, tasks: withTask(TaskField.state, 99) }, /is not one task/],
      [{ ...lanes, tasks: withTask(TaskField.state, runningState, 1).map((v, i) => (i === TASK_FIELDS + TaskField.endedAt ? 5 : v)) }, /ended running/],
      [{ ...lanes, tasks: withTask(TaskField.site, json.objects.length + 5) }, /no object/],
      [{ ...lanes, json: JSON.stringify({ ...json, cancels: [[1e6, []]] }) }, /cancel request of no task/],
      [{ ...lanes, version: 99 }, /unknown model lanes/],
    ] as Array<[ModelLanes, RegExp]>) {
      const inbox = new MessageInbox();
      inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(others), live: false, lanes: bad });
      const session = new TraceSession();
      let next;
      while ((next = inbox.next())) session.handle(next);
      assert.strictEqual(session.model, null, String(why));
      assert.match(session.emptyMessage ?? '', /^The trace could not be read: /);
      assert.match(session.emptyMessage ?? '', why);
    }
  });
});
