import * as assert from 'assert';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { TraceModel, buildModel, edges } from '../../src/model/model';
import { encodeEventColumns } from '../../src/protocol/eventColumns';
import { MessageType } from '../../src/protocol/webviewMessages';
import { MessageInbox } from '../../src/webview/inbox';
import { TraceSession } from '../../src/webview/session';
import { edgeKey, rng, snapshotOf, syntheticTrace } from './fixtures';

/** Folds a whole (not live) trace as the timeline loads one: columnar batches handed out in uneven pieces. */
function foldAsLoaded(header: TraceHeader, events: TraceEvent[], batch: number, pieces: number[]): TraceSession {
  const inbox = new MessageInbox();
  inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(events, 0, Math.min(batch, events.length)), live: false });
  for (let i = batch; i < events.length; i += batch) {
    inbox.push({ type: MessageType.Events, events: encodeEventColumns(events, i, Math.min(events.length, i + batch)) });
  }
  inbox.push({ type: MessageType.Finished });
  const session = new TraceSession();
  let piece;
  let n = 0;
  while ((piece = inbox.next(pieces[n++ % pieces.length]))) {
    session.handle(piece);
    if (n % 5 === 0) session.indexEdges();
  }
  return session;
}

function assertSameAsInOrder(header: TraceHeader, events: TraceEvent[], session: TraceSession, what: string): TraceModel {
  const whole = buildModel(header, events);
  const model = session.model!;
  assert.deepStrictEqual(snapshotOf(model), snapshotOf(whole), `${what}: the model`);
  assert.deepStrictEqual(session.edges.all().map(edgeKey).sort(), edges(whole).map(edgeKey).sort(), `${what}: the edges`);
  return whole;
}

describe('folding a whole trace grouped by task', () => {
  it('gives the model and edges of the fold in trace order, whatever the batches and pieces', () => {
    const { header, events } = syntheticTrace({ tasks: 400, events: 70_000, seed: 11 });
    for (const [batch, pieces] of [
      [70_000, [5000]],
      [50_000, [97, 3001, 20_000]],
      [8_000, [1013, 256]],
    ] as Array<[number, number[]]>) {
      const session = foldAsLoaded(header, events, batch, pieces);
      assertSameAsInOrder(header, events, session, `batches of ${batch}`);
    }
  });

  it('folds a stretch’s creations before the tasks’ own events (so a task’s events come one after the other)', () => {
    const { header, events } = syntheticTrace({ tasks: 400, events: 20_000, seed: 12 });
    const inbox = new MessageInbox();
    inbox.push({ type: MessageType.Snapshot, header, events: encodeEventColumns(events), live: false });
    const session = new TraceSession();
    session.handle(inbox.next(500)!);
    // Grouped, the first 500 events folded are the stretch's creations, output and queue events: more tasks exist than
    // after the first 500 events in trace order.
    const inOrder = buildModel(header, events.slice(0, 500)).tasks.length;
    assert.ok(session.model!.tasks.length > inOrder * 2, `${session.model!.tasks.length} tasks after 500 events, ${inOrder} in order`);
    assert.strictEqual(session.model!.eventCount, 500);
    let piece;
    while ((piece = inbox.next(777))) session.handle(piece);
    assertSameAsInOrder(header, events, session, 'after the rest');
  });

  it('lists anomalies as the fold in order does, and falls back to that order where grouping would change them', () => {
    const { header, events: clean } = syntheticTrace({ tasks: 120, events: 12_000, seed: 13 });
    const random = rng(5);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    for (let round = 0; round < 6; round++) {
      const events = clean.map((e) => ({ ...e }) as TraceEvent);
      const at = (): number => Math.floor(random() * events.length);
      /** Somewhere after `task`'s creation (anywhere in odd rounds). */
      const after = (task: number): number => {
        if (round % 2 === 1) return at();
        const created = events.findIndex((x) => x.type === 'task.created' && x.task === task);
        return created + 1 + Math.floor(random() * (events.length - created - 1));
      };
      const taskEvents = events.filter((e) => 'task' in e && typeof e.task === 'number' && e.type !== 'task.created');
      for (let m = 0; m < 25; m++) {
        const e = pick(taskEvents) as TraceEvent & { task: number };
        // Even rounds: only anomalies grouping keeps as they are (the stretches are grouped); odd rounds: also those
        // that make a stretch fall back to trace order.
        switch (round % 2 === 0 ? [0, 1, 2, 5][m % 4] : m % 6) {
          case 0: // an event of a task that never exists
            events.splice(at(), 0, { ...e, task: 5000 + m } as TraceEvent);
            break;
          case 1: // an event after its task ended, or before it started
            events.splice(after(e.task), 0, { ...e } as TraceEvent);
            break;
          case 2: // a task created twice
            events.splice(at(), 0, { ...pick(events.filter((x) => x.type === 'task.created')) });
            break;
          case 3: // a task id that is not a small integer
            events.splice(at(), 0, { ...e, task: 2 ** 40 + m } as TraceEvent);
            break;
          case 4: {
            // a task's event before its creation (later in the same stretch)
            const created = events.findIndex((x) => x.type === 'task.created' && x.task === e.task);
            if (created > 0) events.splice(Math.max(0, created - 1 - Math.floor(random() * 50)), 0, { ...e } as TraceEvent);
            break;
          }
          default: // a resumption of a task that is not suspended
            events.splice(after(e.task), 0, { t: e.t, type: 'task.resumed', task: e.task } as TraceEvent);
        }
      }
      const session = foldAsLoaded(header, events, round % 2 === 0 ? events.length : 4000, [round % 2 === 0 ? 2500 : 333]);
      const whole = assertSameAsInOrder(header, events, session, `round ${round}`);
      assert.ok(whole.anomalies.length >= 10, `${whole.anomalies.length} anomalies`);
    }
  });

  it('folds a trace right after one replaced part way through a stretch (the stretches’ buffers are shared)', () => {
    const first = syntheticTrace({ tasks: 200, events: 30_000, seed: 21 });
    const second = syntheticTrace({ tasks: 300, events: 40_000, seed: 22 });
    const third = syntheticTrace({ tasks: 100, events: 20_000, seed: 23 });
    const inbox = new MessageInbox();
    inbox.push({ type: MessageType.Snapshot, header: first.header, events: encodeEventColumns(first.events), live: false });
    const session = new TraceSession();
    session.handle(inbox.next(3000)!);
    session.handle(inbox.next(3000)!);
    assert.strictEqual(session.model!.eventCount, 6000, 'part of the first stretch');
    // A new trace replaces it (the host re-sent, or another run): the first stretch is never folded to its end.
    for (const { header, events } of [second, third]) {
      const next = foldAsLoaded(header, events, 25_000, [4000, 777]);
      assertSameAsInOrder(header, events, next, `${events.length} events after a replaced trace`);
    }
    inbox.push({ type: MessageType.Snapshot, header: second.header, events: encodeEventColumns(second.events), live: false });
    let piece;
    while ((piece = inbox.next(2500))) session.handle(piece);
    assertSameAsInOrder(second.header, second.events, session, 'the same session, replaced part way');
  });

  it('says when a batch cannot be read, as the fold in order does', () => {
    const { header, events } = syntheticTrace({ tasks: 50, events: 6_000, seed: 14 });
    const batch = encodeEventColumns(events);
    const badShape = batch.flat.slice();
    badShape[0] = 0.5; // the first event's shape number (the count of each task's events stops there too)
    for (const flat of [batch.flat.slice(0, batch.flat.length - 3), Float64Array.from([...batch.flat, 0]), badShape]) {
      const inbox = new MessageInbox(1000);
      inbox.push({ type: MessageType.Snapshot, header, events: { ...batch, flat }, live: false });
      const session = new TraceSession();
      let piece;
      while ((piece = inbox.next())) session.handle(piece);
      assert.strictEqual(session.model, null);
      assert.match(session.emptyMessage ?? '', /could not be read/);
    }
  });
});
