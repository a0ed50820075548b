import * as assert from 'assert';
import { TraceSession } from '../../src/extension/pure/traceSession';
import { parseFixture } from '../model/fixtures';
import { ModelBuilder, buildModel } from '../../src/model/model';
import { encodeModelLanes, isLifecycleEvent } from '../../src/model/modelLanes';
import { snapshotOf, syntheticTrace } from '../webview/fixtures';

describe('extension/pure/traceSession', () => {
  it('folds a live run as events arrive, and tells listeners', () => {
    const { header, events } = parseFixture('07-cancel-timeout.cotrace');
    const session = new TraceSession({ origin: 'run', program: header.program, tracePath: '/t/x.cotrace' });
    const seen: number[] = [];
    const sub = session.onDidChange((s) => seen.push(s.version));
    assert.strictEqual(session.live, true);
    assert.strictEqual(session.model(), undefined);
    session.setHeader(header);
    session.addEvents(events.slice(0, 10));
    const early = session.model()!;
    assert.ok(early.tasks.length > 0);
    session.addEvents(events.slice(10));
    session.finish();
    assert.strictEqual(session.live, false);
    assert.strictEqual(session.model()!.runFinished?.type, 'run.finished');
    assert.deepStrictEqual(seen, [1, 2, 3, 4]);
    sub.dispose();
    session.addEvents([]);
    session.finish();
    assert.strictEqual(seen.length, 4);
  });

  it('loads a trace file like a finished run', () => {
    const { header, events } = parseFixture('07-cancel-timeout.cotrace');
    const session = TraceSession.fromTrace(header, events, { tracePath: '/t/07.cotrace' });
    assert.strictEqual(session.origin, 'file');
    assert.strictEqual(session.live, false);
    assert.strictEqual(session.program, header.program);
    assert.strictEqual(session.model()!.tasks.length, 4);
    assert.strictEqual(session.hasNoTasks, false);
    assert.ok(session.eventsOf(4).length >= 5);
  });

  it('has its model’s lanes and its other events for the timeline once finished, not while it grows', () => {
    const { header, events } = parseFixture('08-queue-handoff.cotrace');
    const session = TraceSession.ofFile(header, {});
    session.addEvents(events.slice(0, 40));
    assert.strictEqual(session.lanes, undefined, 'not while loading');
    session.addEvents(events.slice(40));
    session.finish();
    const others = events.filter((e) => !isLifecycleEvent(e));
    assert.ok(others.length > 0 && others.length < events.length);
    assert.deepStrictEqual(session.others.slice(0, session.others.length), others);
    const lanes = session.lanes!;
    assert.strictEqual(lanes.events, events.length - others.length);
    // The webview's builder from them, with the other events folded, is the model of the whole trace.
    const builder = ModelBuilder.fromLanes(header, lanes);
    for (const e of others) builder.add(e);
    assert.deepStrictEqual(snapshotOf(builder.model()), snapshotOf(buildModel(header, events)));
    // A run still going has none.
    const live = new TraceSession({ origin: 'run', program: header.program });
    live.setHeader(header);
    live.addEvents(events);
    assert.strictEqual(live.lanes, undefined);
    live.finish();
    assert.ok(live.lanes);
  });

  it('encodes a finished session’s lanes in slices after finishing, the same as at once', async () => {
    const { header, events } = syntheticTrace({ tasks: 400, events: 60_000, seed: 51 });
    const session = TraceSession.fromTrace(header, events, {});
    assert.strictEqual(session.lanesReady, false, 'finish() only starts the encoding');
    let turns = 0;
    while (!session.lanesReady && turns < 10_000) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    assert.ok(session.lanesReady, 'encoded without being asked');
    const others = events.filter((e) => !isLifecycleEvent(e));
    assert.deepStrictEqual(session.lanes, encodeModelLanes(buildModel(header, events), others.length));
    // Asked for before the slices are done, the rest is done at once.
    const early = TraceSession.fromTrace(header, events, {});
    assert.strictEqual(early.lanesReady, false);
    assert.deepStrictEqual(early.lanes, session.lanes);
    assert.strictEqual(early.lanesReady, true);
  });

  it('keeps at most maxEvents for the views, and always the run.finished', () => {
    const { header, events } = parseFixture('07-cancel-timeout.cotrace');
    const session = TraceSession.fromTrace(header, events, { maxEvents: 5 });
    assert.strictEqual(session.events.length, 6);
    assert.strictEqual(session.events.at(5)?.type, 'run.finished');
    assert.strictEqual(session.omittedEvents, events.length - 6);
  });

  it('keeps the warnings past maxEvents', () => {
    const { header, events } = parseFixture('08-queue-handoff.cotrace');
    const session = TraceSession.fromTrace(header, events, { maxEvents: 5 });
    assert.deepStrictEqual(
      session.events.slice(5).map((e) => e.type),
      ['warning', 'run.finished'],
    );
    assert.strictEqual(session.model()!.warnings.length, 1);
  });

  it('knows when a finished run recorded no tasks', () => {
    const { header } = parseFixture('07-cancel-timeout.cotrace');
    const session = new TraceSession({ origin: 'run', program: header.program });
    session.setHeader(header);
    session.addEvents([{ t: 0, type: 'run.finished', exitCode: 0, signal: null, pendingTasks: 0, droppedEvents: 0 }]);
    assert.strictEqual(session.hasNoTasks, false, 'not while live');
    session.finish();
    assert.strictEqual(session.hasNoTasks, true);
  });

  it('records why a run failed', () => {
    const session = new TraceSession({ origin: 'run', program: '/p/x.ts' });
    session.finish('Build failed: x.ts:1:1: oops');
    assert.strictEqual(session.error, 'Build failed: x.ts:1:1: oops');
    assert.strictEqual(session.hasNoTasks, false);
  });
});
