import * as assert from 'assert';
import type { TraceEvent, TraceHeader } from '../../src/contract/trace';
import { buildModel, TASK_STATES } from '../../src/model/model';
import {
  TASK_GROUPS,
  countsText,
  currentAwaitSite,
  describeEvent,
  groupOf,
  groupTasks,
  siteFromStack,
  stateIcon,
  taskAt,
  taskDescription,
  taskJumpSite,
  taskTooltip,
} from '../../src/extension/pure/taskTree';
import { modelOf, parseFixture } from '../model/fixtures';

const PROGRAM = '/home/user/coroutine-trace/examples/seed/07-cancel-timeout.ts';

function grouped(model = modelOf('07-cancel-timeout.cotrace'), at?: number): Record<string, string[]> {
  return Object.fromEntries(groupTasks(model, at).map((g) => [g.label, g.tasks.map((v) => v.task.name)]));
}

function viewOf(name: string, at?: number, fixture = '07-cancel-timeout.cotrace') {
  const model = modelOf(fixture);
  const task = model.tasks.find((t) => t.name === name);
  assert.ok(task, name);
  const view = taskAt(task, at);
  assert.ok(view);
  return { model, view };
}

describe('extension/pure/taskTree', () => {
  describe('groupTasks', () => {
    it('groups the final states in display order, hiding empty groups', () => {
      assert.deepStrictEqual(grouped(), { Cancelled: ['Task-4'], Failed: ['Task-3'], Done: ['main', 'Task-2'] });
      assert.deepStrictEqual(
        groupTasks(modelOf('07-cancel-timeout.cotrace')).map((g) => g.id),
        ['cancelled', 'failed', 'done'],
      );
    });

    it('shows the states at a time cursor, leaving out tasks not created yet', () => {
      assert.deepStrictEqual(grouped(undefined, 1500), { Sleeping: ['main', 'Task-3', 'Task-4'], Done: ['Task-2'] });
      assert.deepStrictEqual(grouped(modelOf('06-runtime-tasks.cotrace'), 500), {
        Sleeping: ['Task-2', 'Task-3'],
        Waiting: ['main'],
      });
    });

    it('puts ready tasks under Pending, and has a group for every state', () => {
      assert.strictEqual(groupOf('ready'), 'pending');
      for (const state of TASK_STATES) assert.ok(TASK_GROUPS.some((g) => g.id === groupOf(state)), state);
      assert.deepStrictEqual(
        TASK_GROUPS.map((g) => g.label),
        ['Running', 'Pending', 'Sleeping', 'Waiting', 'Cancelled', 'Failed', 'Done'],
      );
    });

    it('counts for the status bar', () => {
      assert.strictEqual(countsText(modelOf('07-cancel-timeout.cotrace')), '1 cancelled, 1 failed, 2 done');
      assert.strictEqual(countsText(modelOf('07-cancel-timeout.cotrace'), 1500), '3 sleeping, 1 done');
    });
  });

  describe('taskDescription', () => {
    it('says what a suspended task waits for, and where', () => {
      const sleeping = viewOf('Task-4', 1000);
      assert.strictEqual(taskDescription(sleeping.model, sleeping.view), 'sleep 3 s · 07-cancel-timeout.ts:14');
      const awaiting = viewOf('main', 500, '06-runtime-tasks.cotrace');
      assert.strictEqual(taskDescription(awaiting.model, awaiting.view), 'awaiting Task-2 · 06-runtime-tasks.ts:19');
      const gathering = viewOf('main', 2000);
      assert.strictEqual(gathering.view.state, 'done');
    });

    it('says how a task ended', () => {
      const cancelled = viewOf('Task-4');
      assert.strictEqual(taskDescription(cancelled.model, cancelled.view), 'cancelled by main · 07-cancel-timeout.ts:24');
      const failed = viewOf('Task-3');
      assert.strictEqual(taskDescription(failed.model, failed.view), 'RangeError');
      const done = viewOf('main');
      assert.strictEqual(taskDescription(done.model, done.view), '');
    });

    it('shows a return value, a running task and a pending one', () => {
      const header: TraceHeader = { format: 'coroutine-trace', version: 1, clock: 'virtual', program: '/p/crawl.ts', startedAt: '' };
      const site = { file: '/p/crawl.ts', line: 7, column: 3 };
      const events: TraceEvent[] = [
        { t: 0, type: 'task.created', task: 1, name: 'main', parent: null, site },
        { t: 0, type: 'task.started', task: 1 },
        { t: 1, type: 'task.created', task: 2, name: 'fetch', parent: 1, site },
        { t: 1, type: 'task.done', task: 1, result: '42' },
      ];
      const model = buildModel(header, events);
      assert.strictEqual(taskDescription(model, taskAt(model.taskById.get(1)!)!), '→ 42');
      assert.strictEqual(taskDescription(model, taskAt(model.taskById.get(1)!, 0.5)!), 'since 0 s');
      assert.strictEqual(taskDescription(model, taskAt(model.taskById.get(2)!)!), 'not started · crawl.ts:7');
    });
  });

  describe('taskTooltip', () => {
    it('names the creation site, parent, times and the error', () => {
      const { model, view } = viewOf('Task-3');
      const text = taskTooltip(model, view);
      assert.match(text, /^Task-3 \(coroutine worker_2\)\nfailed: RangeError\n/);
      assert.match(text, /created at 0 s by main \(07-cancel-timeout\.ts:20\)/);
      assert.match(text, /started at 0 s/);
      assert.match(text, /ended failed at 2 s/);
      assert.match(text, /RangeError: division by zero/);
    });
  });

  describe('jump sites', () => {
    it('goes where a task is suspended, else where it ended', () => {
      const sleeping = viewOf('Task-4', 1000);
      assert.deepStrictEqual(taskJumpSite(sleeping.model, sleeping.view, 1000), { file: PROGRAM, line: 14, column: 3 });
      const failed = viewOf('Task-3');
      assert.deepStrictEqual(taskJumpSite(failed.model, failed.view), { file: PROGRAM, line: 10, column: 9 });
      const cancelled = viewOf('Task-4');
      assert.deepStrictEqual(taskJumpSite(cancelled.model, cancelled.view), { file: PROGRAM, line: 14, column: 3 });
    });

    it('finds the current await at a cursor', () => {
      const main = viewOf('main');
      assert.strictEqual(currentAwaitSite(main.view.task)?.line, 26);
      assert.strictEqual(currentAwaitSite(main.view.task, 1999)?.line, 23);
    });
  });

  describe('siteFromStack', () => {
    it('takes the first frame in the program folder, skipping Node and node_modules', () => {
      const stack = [
        'Error: boom',
        '    at node:internal/process/task_queues:95:5',
        '    at Object.x (/p/node_modules/lib/index.js:1:2)',
        '    at helper (/elsewhere/util.ts:5:6)',
        '    at worker (/p/src/crawl.ts:12:9)',
      ].join('\n');
      assert.deepStrictEqual(siteFromStack(stack, '/p/src/main.ts'), { file: '/p/src/crawl.ts', line: 12, column: 9 });
      assert.deepStrictEqual(siteFromStack(stack, '/q/main.ts'), { file: '/elsewhere/util.ts', line: 5, column: 6 });
      assert.deepStrictEqual(siteFromStack('    at /p/a b/x.ts:3:4', '/p/a b/x.ts'), { file: '/p/a b/x.ts', line: 3, column: 4 });
      assert.strictEqual(siteFromStack('Error: no frames', '/p/x.ts'), null);
    });
  });

  describe('events', () => {
    it('describes events with their time and site', () => {
      const model = modelOf('07-cancel-timeout.cotrace');
      const { events } = parseFixture('07-cancel-timeout.cotrace');
      const rows = events.filter((e) => 'task' in e && e.task === 4).map((e) => describeEvent(model, e));
      assert.deepStrictEqual(
        rows.map((r) => [r.label, r.description]),
        [
          ['created by main', '0 s · 07-cancel-timeout.ts:21'],
          ['started', '0 s'],
          ['sleep 3 s', '0 s · 07-cancel-timeout.ts:14'],
          ['cancel requested by main', '2 s · 07-cancel-timeout.ts:24'],
          ['resumed (cancel by main)', '2 s'],
          ['cancelled', '2 s'],
        ],
      );
      assert.strictEqual(rows[2].site?.line, 14);
      assert.strictEqual(rows[1].site, null);
    });

  });

  it('has an icon and a theme colour per state', () => {
    const icons = TASK_STATES.map((s) => stateIcon(s).codicon);
    assert.strictEqual(new Set(icons).size, TASK_STATES.length);
    for (const s of TASK_STATES) assert.match(stateIcon(s).color, /^[a-zA-Z]+\.[a-zA-Z]+$/);
  });
});
