import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { blockedSpans, delayedTasks } from '../../src/model/blockedLoop';
import { buildModel } from '../../src/model/model';
import { parseTrace } from '../../src/model/traceFileReader';

const FIXTURES = path.resolve(__dirname, '../../../test/extension/fixtures');
const HEADER: TraceHeader = { format: 'coroutine-trace', version: 1, clock: 'real', program: '/p/app.ts', startedAt: '' };
const site = (line: number) => ({ file: '/p/app.ts', line, column: 1 });

/**
 * main (1) creates the blocker (2) and three others, then waits; the blocker runs from 10 to 110 ms without yielding.
 * sleeper (3) was due at 40 ms; listener (4) waits for an event the blocker sets during its step; joiner (5) awaits the
 * blocker itself; late (6) is created by the blocker during the step; idle (7) waits on a lock nobody releases.
 */
function scenario(): TraceEvent[] {
  const created = (t: number, task: number, name: string, parent: number | null) =>
    ({ t, type: 'task.created', task, name, parent, site: site(task) }) as TraceEvent;
  return [
    created(0, 1, 'main', null),
    { t: 0, type: 'task.started', task: 1 },
    created(0, 2, 'blocker', 1),
    created(0, 3, 'sleeper', 1),
    created(0, 4, 'listener', 1),
    created(0, 5, 'joiner', 1),
    created(0, 7, 'idle', 1),
    { t: 1, type: 'task.suspended', task: 1, reason: { kind: 'sleep', seconds: 1, until: 1001 }, site: site(20) },
    { t: 1, type: 'task.started', task: 3 },
    { t: 1, type: 'task.suspended', task: 3, reason: { kind: 'sleep', seconds: 0.039, until: 40 }, site: site(21) },
    { t: 1, type: 'task.started', task: 4 },
    { t: 1, type: 'task.suspended', task: 4, reason: { kind: 'event', resource: 1 }, site: site(22) },
    { t: 1, type: 'task.started', task: 5 },
    { t: 1, type: 'task.suspended', task: 5, reason: { kind: 'task', target: 2 }, site: site(23) },
    { t: 1, type: 'task.started', task: 7 },
    { t: 1, type: 'task.suspended', task: 7, reason: { kind: 'lock', resource: 2 }, site: site(24) },
    { t: 1, type: 'task.started', task: 2 },
    { t: 1, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0.009, until: 10 }, site: site(25) },
    // The blocking step: 10 → 110 ms.
    { t: 10, type: 'task.resumed', task: 2, cause: { kind: 'timer' } },
    created(10, 6, 'late', 2),
    { t: 110, type: 'warning', kind: 'blocked-loop', task: 2, site: site(26), message: 'blocker ran 100.0 ms without yielding (from 10.0 ms); ...' },
    { t: 110, type: 'task.done', task: 2, result: 'undefined' },
    // After it, in the order the loop ran them.
    { t: 111, type: 'task.resumed', task: 3, cause: { kind: 'timer' } },
    { t: 111, type: 'task.done', task: 3, result: 'undefined' },
    { t: 112, type: 'task.resumed', task: 4, cause: { kind: 'result', by: 2 } },
    { t: 112, type: 'task.done', task: 4, result: 'undefined' },
    { t: 113, type: 'task.resumed', task: 5, cause: { kind: 'result', by: 2 } },
    { t: 113, type: 'task.done', task: 5, result: 'undefined' },
    { t: 114, type: 'task.started', task: 6 },
    { t: 114, type: 'task.done', task: 6, result: 'undefined' },
  ];
}

describe('model: blocked-loop spans and the tasks they delayed', () => {
  it('spans the blocking step; delays the due sleeper, the task it woke, and the task it created; not the rest', () => {
    const model = buildModel(HEADER, scenario());
    const spans = blockedSpans(model);
    assert.strictEqual(spans.length, 1);
    const [span] = spans;
    assert.deepStrictEqual({ task: span.task, start: span.start, end: span.end }, { task: 2, start: 10, end: 110 });
    assert.strictEqual(span.warning.kind, 'blocked-loop');
    const name = (id: number) => model.taskById.get(id)!.name;
    assert.deepStrictEqual(
      span.delayed.map((d) => [name(d.task), d.readyAt, d.ranAt]),
      [
        ['sleeper', 40, 111],
        ['listener', 10, 112],
        ['late', 10, 114],
      ],
    );
  });

  it('a task that was not ready was not delayed: main sleeping past the span, the joiner waiting for the blocker to end, a lock waiter', () => {
    const model = buildModel(HEADER, scenario());
    const ids = delayedTasks(model, 2, 10, 110).map((d) => d.task);
    for (const notDelayed of [1, 5, 7]) assert.ok(!ids.includes(notDelayed), `task ${notDelayed}`);
  });

  it('a wake by the blocker counts only if the task ran before the blocker’s next step (else a later step may have woken it)', () => {
    const events = scenario().filter((e) => !(e.type === 'task.done' && e.task === 2));
    const at = events.findIndex((e) => e.type === 'task.resumed' && e.task === 4);
    // The blocker yields at 110 and runs again at 111.5, before the listener runs at 112.
    events.splice(at, 0, { t: 110, type: 'task.suspended', task: 2, reason: { kind: 'sleep', seconds: 0, until: 110 }, site: site(27) });
    events.splice(at + 1, 0, { t: 111.5, type: 'task.resumed', task: 2, cause: { kind: 'yield' } }, { t: 111.5, type: 'task.done', task: 2, result: 'undefined' });
    const model = buildModel(HEADER, events);
    const [span] = blockedSpans(model);
    assert.ok(span);
    assert.ok(!span.delayed.some((d) => d.task === 4), JSON.stringify(span.delayed));
    assert.ok(span.delayed.some((d) => d.task === 3));
  });

  it('examples/bugs/blocked-loop.ts, recorded: the heartbeat was due at 55 ms and ran only after the 400 ms step', () => {
    const { header, events } = parseTrace(fs.readFileSync(path.join(FIXTURES, 'blocked-loop.cotrace'), 'utf8'));
    const model = buildModel(header, events);
    const [span, ...rest] = blockedSpans(model);
    assert.deepStrictEqual(rest, []);
    assert.strictEqual(model.taskById.get(span.task)!.coroutine, 'cruncher');
    assert.ok(span.end - span.start >= 400, `${span.start}–${span.end}`);
    assert.deepStrictEqual(
      span.delayed.map((d) => model.taskById.get(d.task)!.coroutine),
      ['heartbeat'],
    );
    const [heartbeat] = span.delayed;
    assert.ok(heartbeat.readyAt > span.start && heartbeat.readyAt < span.end && heartbeat.ranAt >= span.end, JSON.stringify(heartbeat));
  });

  it('no spans without blocked-loop warnings', () => {
    const events = scenario().filter((e) => e.type !== 'warning');
    assert.deepStrictEqual(blockedSpans(buildModel(HEADER, events)), []);
  });
});
