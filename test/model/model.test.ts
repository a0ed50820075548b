import * as assert from 'assert';
import { TraceEvent } from '../../src/contract/trace';
import {
  AwaitEdge,
  Edge,
  ModelBuilder,
  TaskInfo,
  TraceModel,
  buildModel,
  edges,
  statesAt,
  taskStateAt,
} from '../../src/model/model';
import { modelOf, parseFixture } from './fixtures';

/** Segments as `state start..end`, compact enough to compare whole lanes. */
function lane(task: TaskInfo | undefined): string[] {
  assert.ok(task, 'task exists');
  return task.segments.map((s) => `${s.state} ${s.start}..${s.end}`);
}

function task(model: TraceModel, name: string): TaskInfo {
  const found = model.tasks.find((t) => t.name === name);
  assert.ok(found, `task ${name}`);
  return found;
}

/** Edges without their site/reason objects: `kind from->to start..end`. */
function edgeLines(list: Edge[]): string[] {
  return list.map((e) => {
    switch (e.kind) {
      case 'create':
        return `create ${e.from}->${e.to} @${e.t}`;
      case 'cancel':
        return `cancel ${e.from}->${e.to} @${e.t}`;
      case 'await':
        return `await ${e.from}->${e.to} ${e.start}..${e.end}${e.open ? ' open' : ''}`;
      case 'queue':
        return `queue ${e.from}->${e.to} ${e.start}..${e.end} r${e.resource}#${e.seq} ${e.item}`;
    }
  });
}

describe('model', () => {
  describe('06-runtime-tasks (create two tasks, await each)', () => {
    const model = modelOf('06-runtime-tasks.cotrace');
    const PROGRAM = '/home/user/coroutine-trace/examples/seed/06-runtime-tasks.ts';

    it('has the tasks in creation order with their tree', () => {
      assert.deepStrictEqual(
        model.tasks.map((t) => [t.id, t.name, t.coroutine, t.parent, t.children]),
        [
          [1, 'main', 'main', null, [2, 3]],
          [2, 'Task-2', 'worker_1', 1, []],
          [3, 'Task-3', 'worker_2', 1, []],
        ],
      );
      assert.deepStrictEqual(task(model, 'Task-2').site, { file: PROGRAM, line: 16, column: 17 });
      assert.strictEqual(model.taskById.get(3), model.tasks[2]);
    });

    it('folds each lifecycle into exact segments', () => {
      assert.deepStrictEqual(lane(model.taskById.get(1)), [
        'pending 0..0',
        'running 0..0',
        'waiting 0..1000',
        'running 1000..1000',
        'waiting 1000..2000',
        'running 2000..2000',
        'done 2000..2000',
      ]);
      assert.deepStrictEqual(lane(model.taskById.get(2)), [
        'pending 0..0',
        'running 0..0',
        'sleeping 0..1000',
        'running 1000..1000',
        'done 1000..2000',
      ]);
      assert.deepStrictEqual(lane(model.taskById.get(3)), [
        'pending 0..0',
        'running 0..0',
        'sleeping 0..2000',
        'running 2000..2000',
        'done 2000..2000',
      ]);
    });

    it('keeps the reason, the await site and the wake cause on suspended segments', () => {
      const sleep = model.taskById.get(2)!.segments[2];
      assert.deepStrictEqual(sleep.reason, { kind: 'sleep', seconds: 1, until: 1000 });
      assert.deepStrictEqual(sleep.site, { file: PROGRAM, line: 5, column: 3 });
      assert.deepStrictEqual(sleep.wake, { kind: 'timer' });
      const awaitTask3 = model.taskById.get(1)!.segments[4];
      assert.deepStrictEqual(awaitTask3.reason, { kind: 'task', target: 3 });
      assert.deepStrictEqual(awaitTask3.wake, { kind: 'result', by: 3 });
    });

    it('records times, final states, end details, output and the end of the run', () => {
      const t2 = model.taskById.get(2)!;
      assert.deepStrictEqual([t2.createdAt, t2.startedAt, t2.endedAt, t2.state], [0, 0, 1000, 'done']);
      assert.deepStrictEqual(t2.end, { state: 'done', t: 1000, result: 'undefined' });
      assert.deepStrictEqual(
        model.output.map((o) => [o.task, o.text]),
        [
          [1, 'before await\n'],
          [2, 'worker_1 start\n'],
          [3, 'worker_2 start\n'],
          [2, 'worker_1 done\n'],
          [1, 'awaited worker_1\n'],
          [3, 'worker_2 done\n'],
          [1, 'awaited worker_2\n'],
        ],
      );
      assert.strictEqual(model.endTime, 2000);
      assert.strictEqual(model.runFinished?.exitCode, 0);
      assert.deepStrictEqual(model.anomalies, []);
      assert.deepStrictEqual(model.warnings, []);
    });

    it('answers taskStateAt by time, taking the state after all events at that instant', () => {
      assert.strictEqual(taskStateAt(model, 1, 0), 'waiting');
      assert.strictEqual(taskStateAt(model, 1, 500), 'waiting');
      assert.strictEqual(taskStateAt(model, 2, 999.999), 'sleeping');
      assert.strictEqual(taskStateAt(model, 2, 1000), 'done');
      assert.strictEqual(taskStateAt(model, 3, 1000), 'sleeping');
      assert.strictEqual(taskStateAt(model, 3, 2000), 'done');
      assert.strictEqual(taskStateAt(model, 1, 5000), 'done');
      assert.strictEqual(taskStateAt(model, 1, -1), undefined, 'before creation');
      assert.strictEqual(taskStateAt(model, 99, 0), undefined, 'unknown task');
    });

    it('counts states at a time', () => {
      const at500 = statesAt(model, 500);
      assert.deepStrictEqual([at500.waiting, at500.sleeping, at500.done, at500.running], [1, 2, 0, 0]);
      const at1500 = statesAt(model, 1500);
      assert.deepStrictEqual([at1500.waiting, at1500.sleeping, at1500.done], [1, 1, 1]);
      assert.strictEqual(statesAt(model, 2000).done, 3);
    });

    it('derives creation and await edges', () => {
      assert.deepStrictEqual(edgeLines(edges(model)), [
        'create 1->2 @0',
        'create 1->3 @0',
        'await 1->2 0..1000',
        'await 1->3 1000..2000',
      ]);
      const first = edges(model)[2] as AwaitEdge;
      assert.deepStrictEqual(first.site, { file: PROGRAM, line: 19, column: 3 });
    });
  });

  describe('07-cancel-timeout (a result, an error, a cancel, gather)', () => {
    const model = modelOf('07-cancel-timeout.cotrace');

    it('records how each task ended', () => {
      assert.deepStrictEqual(
        model.tasks.map((t) => [t.name, t.state, t.endedAt]),
        [
          ['main', 'done', 2000],
          ['Task-2', 'done', 1000],
          ['Task-3', 'failed', 2000],
          ['Task-4', 'cancelled', 2000],
        ],
      );
      assert.deepStrictEqual(task(model, 'Task-2').end, { state: 'done', t: 1000, result: '1' });
      const failed = task(model, 'Task-3').end;
      assert.ok(failed?.state === 'failed');
      assert.strictEqual(failed.error.name, 'RangeError');
      assert.strictEqual(failed.error.message, 'division by zero');
      const cancelled = task(model, 'Task-4').end;
      assert.ok(cancelled?.state === 'cancelled');
      assert.strictEqual(cancelled.message, null);
      assert.deepStrictEqual(cancelled.request, {
        t: 2000,
        by: 1,
        message: null,
        site: { file: '/home/user/coroutine-trace/examples/seed/07-cancel-timeout.ts', line: 24, column: 3 },
      });
    });

    it('folds the lanes, the cancelled task woken by the cancel', () => {
      assert.deepStrictEqual(lane(task(model, 'main')), [
        'pending 0..0',
        'running 0..0',
        'sleeping 0..2000',
        'running 2000..2000',
        'waiting 2000..2000',
        'running 2000..2000',
        'done 2000..2000',
      ]);
      assert.deepStrictEqual(lane(task(model, 'Task-4')), [
        'pending 0..0',
        'running 0..0',
        'sleeping 0..2000',
        'running 2000..2000',
        'cancelled 2000..2000',
      ]);
      const sleep = task(model, 'Task-4').segments[2];
      assert.deepStrictEqual(sleep.reason, { kind: 'sleep', seconds: 3, until: 3000 });
      assert.deepStrictEqual(sleep.wake, { kind: 'cancel', by: 1 });
      assert.strictEqual(taskStateAt(model, 4, 1999), 'sleeping');
      assert.strictEqual(taskStateAt(model, 4, 2000), 'cancelled');
      const at2000 = statesAt(model, 2000);
      assert.deepStrictEqual([at2000.done, at2000.failed, at2000.cancelled], [2, 1, 1]);
    });

    it('has an await edge per gather target and the cancel edge', () => {
      assert.deepStrictEqual(edgeLines(edges(model)), [
        'create 1->2 @0',
        'create 1->3 @0',
        'create 1->4 @0',
        'await 1->2 2000..2000',
        'await 1->3 2000..2000',
        'await 1->4 2000..2000',
        'cancel 1->4 @2000',
      ]);
    });
  });

  describe('08-queue-handoff (producer and consumer on a queue)', () => {
    const model = modelOf('08-queue-handoff.cotrace');

    it('records the queue and everything that went through it', () => {
      assert.strictEqual(model.resources.length, 1);
      const queue = model.resourceById.get(1)!;
      assert.deepStrictEqual([queue.name, queue.kind, queue.capacity, queue.createdAt], ['Queue-1', 'queue', 0, 0.35]);
      assert.deepStrictEqual(
        queue.events.map((e) => `${e.type} ${e.t} task ${e.task}`),
        ['queue.put 0.74 task 3', 'queue.get 0.91 task 2', 'queue.put 1001.1 task 3', 'queue.get 1001.33 task 2'],
      );
    });

    it('links each get to its put, and waiting on the queue is waiting', () => {
      const all = edgeLines(edges(model));
      assert.deepStrictEqual(
        all.filter((e) => e.startsWith('queue')),
        ['queue 3->2 0.74..0.91 r1#1 1', 'queue 3->2 1001.1..1001.33 r1#2 2'],
      );
      assert.deepStrictEqual(
        all.filter((e) => !e.startsWith('queue')),
        ['create 1->2 @0.42', 'create 1->3 @0.48', 'cancel 1->2 @3000.74', 'await 1->2 3000.79..3000.97', 'await 1->3 3000.79..3000.97'],
      );
      const consumer = task(model, 'consumer_1');
      assert.strictEqual(taskStateAt(model, consumer.id, 0.7), 'waiting');
      assert.deepStrictEqual(consumer.segments[2].reason, { kind: 'queue.get', resource: 1 });
      assert.strictEqual(taskStateAt(model, consumer.id, 2500), 'waiting');
      assert.strictEqual(taskStateAt(model, consumer.id, 1500), 'sleeping');
    });

    it('keeps warnings and attributes output to tasks', () => {
      assert.deepStrictEqual(
        model.warnings.map((w) => [w.kind, w.task, w.t]),
        [['never-awaited', 1, 3001.05]],
      );
      assert.deepStrictEqual(
        model.output.map((o) => o.task),
        [3, 2, 3, 2],
      );
      assert.strictEqual(model.endTime, 3001.4);
    });
  });

  describe('a truncated trace', () => {
    const model = modelOf('06-truncated.cotrace');

    it('ends open segments at the last event', () => {
      assert.strictEqual(model.runFinished, null);
      assert.strictEqual(model.endTime, 1000);
      assert.deepStrictEqual(lane(task(model, 'main')).slice(-1), ['waiting 1000..1000']);
      assert.deepStrictEqual(lane(task(model, 'Task-3')).slice(-1), ['sleeping 0..1000']);
      assert.strictEqual(task(model, 'Task-3').endedAt, undefined);
      assert.strictEqual(task(model, 'Task-3').end, undefined);
      assert.deepStrictEqual(
        model.tasks.map((t) => t.state),
        ['waiting', 'done', 'sleeping'],
      );
    });

    it('marks an await edge still waiting at the end as open', () => {
      assert.deepStrictEqual(
        edgeLines(edges(model)).filter((e) => e.startsWith('await')),
        ['await 1->2 0..1000', 'await 1->3 1000..1000 open'],
      );
    });
  });

  describe('robustness and incremental folding', () => {
    const { header, events } = parseFixture('07-cancel-timeout.cotrace');

    it('gives the same model event by event, with a look in the middle, as in one go', () => {
      const builder = new ModelBuilder(header);
      let partial: TraceModel | undefined;
      events.forEach((event, i) => {
        builder.add(event);
        if (i === 13) partial = builder.model();
      });
      assert.ok(partial);
      const whole = buildModel(header, events);
      const live = builder.model();
      assert.deepStrictEqual(
        live.tasks.map((t) => lane(t)),
        whole.tasks.map((t) => lane(t)),
      );
      assert.deepStrictEqual(live.tasks.map((t) => t.state), whole.tasks.map((t) => t.state));
    });

    it('sees the state of a live run in the middle', () => {
      const builder = new ModelBuilder(header);
      for (const event of events.slice(0, 14)) builder.add(event); // up to Task-2 done at 1000
      const model = builder.model();
      assert.strictEqual(model.endTime, 1000);
      assert.deepStrictEqual(model.tasks.map((t) => t.state), ['sleeping', 'done', 'sleeping', 'sleeping']);
      assert.deepStrictEqual(lane(model.taskById.get(1)).slice(-1), ['sleeping 0..1000']);
    });

    it('records events that break the lifecycle as anomalies instead of throwing', () => {
      const bad: TraceEvent[] = [
        ...events.slice(0, 3),
        { t: 1, type: 'task.resumed', task: 77 },
        { t: 1, type: 'task.resumed', task: 1 },
        { t: 2, type: 'queue.get', resource: 9, task: 1, size: 0, item: 'x', seq: 1 },
        { t: 3, type: 'task.done', task: 1, result: 'undefined' },
        { t: 4, type: 'task.started', task: 1 },
      ];
      const model = buildModel(header, bad);
      assert.deepStrictEqual(
        model.anomalies.map((a) => `${a.index} ${a.message}`),
        [
          '3 task.resumed for unknown task 77',
          '4 task 1 resumed while running',
          '5 queue.get on unknown resource 9',
          '7 task.started for task 1 after it ended',
        ],
      );
      assert.strictEqual(model.taskById.get(1)!.state, 'done');
    });
  });
});
