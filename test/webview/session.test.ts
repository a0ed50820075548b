import * as assert from 'assert';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { Edge, buildModel, edges } from '../../src/model/model';
import { encodeEventColumns } from '../../src/protocol/eventColumns';
import { MessageType } from '../../src/protocol/webviewMessages';
import { EdgeIndex } from '../../src/webview/edgeIndex';
import { MessageInbox } from '../../src/webview/inbox';
import { TraceSession } from '../../src/webview/session';
import { HEADER, edgeKey, site, snapshotOf, trace } from './fixtures';

function sortedKeys(list: Edge[]): string[] {
  return list.map(edgeKey).sort();
}

/** Feeds `events` as a snapshot of the first `first` events, then deltas of `chunk` events. */
function feed(name: string, first: number, chunk: number): TraceSession {
  const { header, events } = trace(name);
  const session = new TraceSession();
  assert.deepStrictEqual(session.handle({ type: MessageType.Snapshot, header, events: events.slice(0, first), live: true }), {
    kind: 'reset',
  });
  for (let i = first; i < events.length; i += chunk) {
    const batch = events.slice(i, i + chunk);
    const change = session.handle({ type: MessageType.Events, events: batch });
    assert.strictEqual(change.kind, 'append');
  }
  assert.deepStrictEqual(session.handle({ type: MessageType.Finished }), { kind: 'finished' });
  return session;
}

const FIXTURES = ['06-runtime-tasks.cotrace', '07-cancel-timeout.cotrace', '08-queue-handoff.cotrace', '06-truncated.cotrace'];

describe('webview session (the message protocol)', () => {
  for (const name of FIXTURES) {
    it(`${name}: a snapshot then deltas give the same model and edges as all events at once`, () => {
      const { header, events } = trace(name);
      const whole = buildModel(header, events);
      for (const [first, chunk] of [
        [0, 1],
        [3, 2],
        [events.length, 1],
        [1, 7],
      ]) {
        const session = feed(name, first, chunk);
        assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(whole), `snapshot ${first}, chunks of ${chunk}`);
        assert.deepStrictEqual(sortedKeys(session.edges.all()), sortedKeys(edges(whole)), `edges, ${first}/${chunk}`);
        assert.strictEqual(session.live, false);
      }
    });
  }

  it('keeps open waits growing with the trace, and closes them when the waiter wakes', () => {
    const { header, events } = trace('06-runtime-tasks.cotrace');
    const session = new TraceSession();
    // Up to t = 0 only: main waits on Task-2, open.
    const upTo = events.findIndex((e) => e.t > 0);
    session.handle({ type: MessageType.Snapshot, header, events: events.slice(0, upTo), live: true });
    assert.ok(session.model);
    assert.deepStrictEqual(session.edges.openAwaits().map(edgeKey), ['await 1->2 0..0 open']);
    const more: TraceEvent[] = [{ t: 500, type: 'output', task: 3, stream: 'stdout', text: 'tick\n' }];
    session.handle({ type: MessageType.Events, events: more });
    // Open waits (and last segments) reach the new end when the model is next read.
    assert.strictEqual(session.model!.taskById.get(1)!.segments.at(-1)!.end, 500);
    assert.deepStrictEqual(session.edges.openAwaits().map(edgeKey), ['await 1->2 0..500 open']);
    assert.ok(session.edges.maxAwaitSpan >= 500);
  });

  it('indexes output and warnings per task', () => {
    const session = feed('08-queue-handoff.cotrace', 5, 3);
    const marks = session.marks(3)!;
    assert.ok(marks.output.length >= 2);
    assert.ok(marks.output.every((o) => o.task === 3));
    const withWarnings = [...session.model!.tasks].filter((t) => (session.marks(t.id)?.warnings.length ?? 0) > 0);
    assert.deepStrictEqual(
      withWarnings.map((t) => t.name),
      session.model!.warnings.filter((w) => w.task !== undefined).map((w) => session.model!.taskById.get(w.task!)!.name),
    );
  });

  it('says what changed: new lanes, cursor, reveal, empty', () => {
    const { header, events } = trace('06-runtime-tasks.cotrace');
    const session = new TraceSession();
    assert.deepStrictEqual(session.handle({ type: MessageType.Events, events }), { kind: 'none' }, 'deltas before a snapshot');
    session.handle({ type: MessageType.Snapshot, header, events: events.slice(0, 2), live: true });
    assert.strictEqual(session.traceKey, `${header.program}\u0000${header.startedAt}`);
    assert.deepStrictEqual(session.handle({ type: MessageType.Events, events: events.slice(2, 4) }), {
      kind: 'append',
      newTasks: true,
      count: 2,
    });
    assert.deepStrictEqual(session.handle({ type: MessageType.Events, events: events.slice(4, 5) }), {
      kind: 'append',
      newTasks: false,
      count: 1,
    });
    assert.deepStrictEqual(session.handle({ type: MessageType.Cursor, t: 12 }), { kind: 'cursor', t: 12 });
    assert.deepStrictEqual(session.handle({ type: MessageType.RevealTask, task: 2 }), { kind: 'reveal', task: 2 });
    const version = session.version;
    assert.deepStrictEqual(session.handle({ type: MessageType.Empty, message: 'No tasks' }), { kind: 'reset' });
    assert.strictEqual(session.model, null);
    assert.strictEqual(session.emptyMessage, 'No tasks');
    assert.ok(session.version > version);
    // A new snapshot replaces everything, including the empty state.
    session.handle({ type: MessageType.Snapshot, header, events, live: false });
    assert.strictEqual(session.emptyMessage, null);
    assert.strictEqual(session.model!.tasks.length, 3);
  });

  it('a synthetic trace (awaits of tasks, gather, queues) folded in uneven pieces gives the same model and edges', () => {
    // The edge index reads only the new segments of tasks that entered a wait for tasks; check it on a busy trace,
    // also part way through, where waits are still open.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { syntheticTrace } = require('../../../bench/webview-synthetic.js') as {
      syntheticTrace(o: { tasks: number; events: number; seed?: number }): { header: TraceHeader; events: TraceEvent[] };
    };
    const { header, events } = syntheticTrace({ tasks: 300, events: 20_000, seed: 7 });
    const inbox = new MessageInbox(97);
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(events, 0, 1234), live: true });
    for (let i = 1234; i < events.length; i += 5000) {
      inbox.push({ type: MessageType.Events, events: encodeEventColumns(events, i, Math.min(events.length, i + 5000)) });
    }
    const session = new TraceSession();
    let piece;
    let folded = 0;
    let checks = 0;
    while ((piece = inbox.next(folded % 3 === 0 ? 97 : 1013))) {
      session.handle(piece);
      if ('events' in piece) folded += piece.events.length;
      if (folded > (checks + 1) * 6000 && folded < events.length) {
        checks++;
        const part = buildModel(header, events.slice(0, folded));
        const model = session.model!;
        assert.deepStrictEqual(sortedKeys(session.edges.all()), sortedKeys(edges(part)), `edges after ${folded} events`);
        assert.deepStrictEqual(snapshotOf(model), snapshotOf(part), `model after ${folded} events`);
      }
    }
    assert.ok(checks >= 2);
    const whole = buildModel(header, events);
    assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(whole));
    const all = session.edges.all();
    assert.deepStrictEqual(sortedKeys(all), sortedKeys(edges(whole)));
    assert.ok(all.filter((e) => e.kind === 'await').length > 300, 'awaits of tasks and the gather');
  });

  it('matches queue hand-offs by sequence number as edges() does: gaps, repeats, odd numbers, gets with no put', () => {
    const events: TraceEvent[] = [
      { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site: site(1) },
      { t: 0, type: 'task.created', task: 2, name: 'consumer', parent: 1, site: site(2) },
      { t: 0, type: 'resource.created', resource: 7, kind: 'queue', name: 'q', site: site(3) },
    ];
    const put = (t: number, seq: number, task: number | null = 1): TraceEvent => ({
      t, type: 'queue.put', resource: 7, task, size: 1, item: `i${seq}`, seq,
    });
    const get = (t: number, seq: number, task: number | null = 2): TraceEvent => ({
      t, type: 'queue.get', resource: 7, task, size: 0, item: `i${seq}`, seq,
    });
    // 1, 2 in order; 5000 far past them (kept in the map), then 1000 ... 4500, which bring the array near it and past
    // it; 2 put again before and after its get; numbers that are not array indexes; gets of nothing; a put by no task.
    const seqs: TraceEvent[] = [
      put(1, 1), put(1, 2), put(2, 5000), get(3, 1), put(3, 2), get(4, 2), get(4, 2), put(5, 1000), put(5, 2000),
      put(5, 3000), put(5, 4000), put(5, 4500), get(6, 5000), put(6, 5200), get(7, 5000), get(8, 4500), put(8, 1.5),
      put(8, -4), get(9, -4), get(9, 1.5), get(9, 99), put(10, 6, null), get(11, 6), put(12, 2), get(13, 2),
      get(14, 3000, null), put(15, 5000), get(16, 5000), get(16, 5000),
    ];
    events.push(...seqs);
    const whole = buildModel(HEADER, events);
    const expected = sortedKeys(edges(whole));
    assert.ok(expected.length >= 6, expected.join('\n'));
    for (const chunk of [1, 3, 100]) {
      const inbox = new MessageInbox(chunk);
      inbox.push({ type: MessageType.Snapshot, header: HEADER, events: encodeEventColumns(events), live: true });
      const session = new TraceSession();
      let piece;
      let n = 0;
      while ((piece = inbox.next())) {
        session.handle(piece);
        if (++n % 4 === 0) session.indexEdges();
      }
      assert.deepStrictEqual(sortedKeys(session.edges.all()), expected, `pieces of ${chunk}`);
    }
  });

  it('re-reads every task when told nothing about which changed', () => {
    const { header, events } = trace('07-cancel-timeout.cotrace');
    const whole = buildModel(header, events);
    const index = new EdgeIndex();
    index.update(whole);
    assert.deepStrictEqual(sortedKeys(index.all()), sortedKeys(edges(whole)));
    assert.strictEqual(index.cancel.length, 1);
    assert.strictEqual(index.create.length, 3);
  });
});

describe('webview inbox (folding big messages in slices)', () => {
  it('hands out a snapshot and its deltas in pieces that fold to the same model', () => {
    const { header, events } = trace('08-queue-handoff.cotrace');
    const inbox = new MessageInbox(4);
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(events.slice(0, 10)), live: true });
    inbox.push({ type: MessageType.Events, events: encodeEventColumns(events.slice(10, 11)) });
    inbox.push({ type: MessageType.Cursor, t: 5 });
    inbox.push({ type: MessageType.Events, events: encodeEventColumns(events.slice(11)) });
    inbox.push({ type: MessageType.Finished });
    assert.strictEqual(inbox.backlog, events.length);
    const session = new TraceSession();
    const kinds: string[] = [];
    let piece;
    while ((piece = inbox.next())) {
      if ('events' in piece) assert.ok(piece.events.length <= 4);
      kinds.push(piece.type);
      session.handle(piece);
    }
    assert.ok(inbox.empty);
    assert.strictEqual(inbox.backlog, 0);
    assert.deepStrictEqual(kinds.slice(0, 5), ['snapshot', 'events', 'events', 'events', 'cursor']);
    assert.strictEqual(kinds[kinds.length - 1], 'finished');
    assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(buildModel(header, events)));
  });

  it('drops what a new snapshot or empty message replaces', () => {
    const { header, events } = trace('06-runtime-tasks.cotrace');
    const inbox = new MessageInbox(100);
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(events), live: true });
    inbox.push({ type: MessageType.Events, events: encodeEventColumns(events) });
    inbox.push({ type: MessageType.Empty, message: 'gone' });
    assert.deepStrictEqual(inbox.next(), { type: MessageType.Empty, message: 'gone' });
    assert.strictEqual(inbox.next(), undefined);
    assert.strictEqual(inbox.backlog, 0);
  });
});

describe('folding straight from the columns', () => {
  it('gives the same model for events whose layout is not the usual one (decoded instead)', () => {
    const { header, events } = trace('08-queue-handoff.cotrace');
    // Odd but valid layouts: extra keys on the fast events, keys in another order, a suspension with no site.
    const odd: TraceEvent[] = events.map((e, i): TraceEvent => {
      if (e.type === 'task.started' && i % 2 === 0) return { task: e.task, type: e.type, t: e.t };
      if (e.type === 'task.resumed' && i % 3 === 0) return { ...e, extra: 1 } as TraceEvent;
      if (e.type === 'task.suspended' && i % 2 === 0) return { ...e, site: null };
      return e;
    });
    const inbox = new MessageInbox(5);
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(odd), live: false });
    const session = new TraceSession();
    let piece;
    while ((piece = inbox.next())) session.handle(piece);
    assert.deepStrictEqual(snapshotOf(session.model!), snapshotOf(buildModel(header, odd)));
    assert.deepStrictEqual(sortedKeys(session.edges.all()), sortedKeys(edges(buildModel(header, odd))));
  });

  it('replaces the trace with a message when a batch cannot be read', () => {
    const { header, events } = trace('06-runtime-tasks.cotrace');
    const batch = encodeEventColumns(events);
    const broken = { ...batch, flat: batch.flat.slice(0, batch.flat.length - 3) };
    const inbox = new MessageInbox(1000);
    inbox.push({ type: MessageType.Snapshot, header, events: broken, live: false });
    const session = new TraceSession();
    let piece;
    while ((piece = inbox.next())) session.handle(piece);
    assert.strictEqual(session.model, null);
    assert.match(session.emptyMessage ?? '', /could not be read/);
  });
});

describe('edge index: edges by time', () => {
  it('visits every edge that overlaps a time range (blocks it skips hold none)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { syntheticTrace } = require('../../../bench/webview-synthetic.js') as {
      syntheticTrace(o: { tasks: number; events: number; seed?: number }): { header: TraceHeader; events: TraceEvent[] };
    };
    const { header, events } = syntheticTrace({ tasks: 200, events: 30_000, seed: 3 });
    // As the timeline folds a run: in pieces, so edges are added in about the order of time.
    const session = new TraceSession();
    session.handle({ type: MessageType.Snapshot, header, events: events.slice(0, 500), live: true });
    for (let i = 500; i < events.length; i += 500) {
      session.handle({ type: MessageType.Events, events: events.slice(i, i + 500) });
      void session.model;
    }
    const index = session.edges;
    const span = (e: Edge): [number, number] =>
      e.kind === 'await' || e.kind === 'queue' ? [e.start, e.end] : [e.t, e.t];
    for (const list of [index.create, index.await, index.queue, index.cancel] as Edge[][]) {
      for (const [t0, t1] of [[0, 100], [20_000, 20_050], [59_000, 70_000], [-5, -1], [0, Infinity]]) {
        const seen = new Set<Edge>();
        index.forEachInTime(list, t0, t1, (e) => seen.add(e));
        const wanted = list.filter((e) => span(e)[1] >= t0 && span(e)[0] <= t1);
        assert.ok(wanted.every((e) => seen.has(e)), `every edge of ${t0}..${t1}`);
        if (t1 - t0 < 1000 && list.length > 1000) assert.ok(seen.size < list.length / 2, 'most blocks skipped');
      }
    }
  });

  it('visits exactly the edges near a band of rows (forEachNear), as a filter over every edge would', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { syntheticTrace } = require('../../../bench/webview-synthetic.js') as {
      syntheticTrace(o: { tasks: number; events: number; seed?: number }): { header: TraceHeader; events: TraceEvent[] };
    };
    const { header, events } = syntheticTrace({ tasks: 300, events: 20_000, seed: 5 });
    const session = new TraceSession();
    session.handle({ type: MessageType.Snapshot, header, events: events.slice(0, 700), live: true });
    const index = session.edges;
    // Rows in an order that is not the ids' (as a filter or collapsed parents make it), some tasks hidden.
    const rows = new Int32Array(250).fill(-1);
    for (let id = 0; id < rows.length; id++) if (id % 7 !== 3) rows[id] = (id * 37) % 211;
    const span = (e: Edge): [number, number] =>
      e.kind === 'await' || e.kind === 'queue' ? [e.start, e.end] : [e.t, e.t];
    const check = (): void => {
      for (const list of [index.create, index.await, index.queue, index.cancel] as Edge[][]) {
        for (const [t0, t1, lo, hi] of [[0, Infinity, 0, 30], [10_000, 12_000, 100, 120], [0, 500, -5, 3], [30_000, 31_000, 200, 400]]) {
          const seen: Array<[Edge, number, number]> = [];
          index.forEachNear(list, t0, t1, rows, lo, hi, (e, ra, rb) => seen.push([e, ra, rb]));
          const rowOf = (id: number): number => (id < rows.length ? rows[id] : -1);
          const wanted = list
            .filter((e) => span(e)[1] >= t0 && span(e)[0] <= t1)
            .map((e): [Edge, number, number] => [e, rowOf(e.from), rowOf(e.to)])
            .filter(([, ra, rb]) => ra >= 0 && rb >= 0 && ra !== rb && !((ra < lo && rb < lo) || (ra > hi && rb > hi)));
          assert.deepStrictEqual(seen, wanted, `${list[0]?.kind} ${t0}..${t1}, rows ${lo}..${hi}`);
        }
      }
    };
    // Read while the lists grow (the columns are extended, not rebuilt).
    for (let i = 700; i < events.length; i += 3000) {
      session.handle({ type: MessageType.Events, events: events.slice(i, i + 3000) });
      void session.model;
      check();
    }
    assert.ok(index.await.length > 100 && index.queue.length > 100 && index.create.length > 100);
  });
});
