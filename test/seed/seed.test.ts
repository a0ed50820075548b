/**
 * The tutorial's eight programs, ported to examples/seed/: each prints what the tutorial shows, in its order, and
 * its trace tells the same story. Run through the real CLI under the virtual clock.
 */
import * as assert from 'assert';
import type { TaskSuspendedEvent, TraceEvent } from '../../src/contract/trace';
import { lineOf, runTraced, taskIdByName } from '../helpers';

const CRAWL_SEQUENTIAL = ['url_1', 'url_2', 'url_3', 'url_4'].flatMap((u) => [`crawling ${u}`, `OK ${u}`]);
const CRAWL_CONCURRENT = [
  ...['url_1', 'url_2', 'url_3', 'url_4'].map((u) => `crawling ${u}`),
  ...['url_1', 'url_2', 'url_3', 'url_4'].map((u) => `OK ${u}`),
];

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

function runFinished(events: TraceEvent[]) {
  const last = events[events.length - 1];
  assert.strictEqual(last.type, 'run.finished');
  return last;
}

function suspensions(events: TraceEvent[], task: number): TaskSuspendedEvent[] {
  return events.filter((e): e is TaskSuspendedEvent => e.type === 'task.suspended' && e.task === task);
}

function endOf(events: TraceEvent[], task: number): TraceEvent {
  const end = events.find(
    (e) => (e.type === 'task.done' || e.type === 'task.failed' || e.type === 'task.cancelled') && e.task === task,
  );
  assert.ok(end, `task ${task} has no end event`);
  return end;
}

describe('seed programs (the tutorial, ported)', function () {
  this.timeout(60_000);

  it('01-sync: crawls one page after the other, no tasks', () => {
    const r = runTraced('examples/seed/01-sync.ts', { real: true, env: { SEED_TIME_SCALE: '0.01' } });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), CRAWL_SEQUENTIAL);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.created').length, 0);
    assert.strictEqual(runFinished(r.events).exitCode, 0);
  });

  it('02-await-sequential: coroutine objects run only when awaited, one after the other (10 s)', () => {
    const r = runTraced('examples/seed/02-await-sequential.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    const expected = ['url_1', 'url_2', 'url_3', 'url_4'].flatMap((u) => [
      '<coroutine object crawlPage>',
      `crawling ${u}`,
      `OK ${u}`,
    ]);
    assert.deepStrictEqual(lines(r.stdout), expected);
    // Everything runs inside main: one task, four sleeps of 1..4 s, 10 s in all.
    assert.strictEqual(r.events.filter((e) => e.type === 'task.created').length, 1);
    const sleeps = suspensions(r.events, 1).map((s) => (s.reason.kind === 'sleep' ? s.reason.seconds : -1));
    assert.deepStrictEqual(sleeps, [1, 2, 3, 4]);
    assert.strictEqual(runFinished(r.events).t, 10_000);
  });

  it('03-create-task: four tasks crawl at once (4 s)', () => {
    const r = runTraced('examples/seed/03-create-task.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), CRAWL_CONCURRENT);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.created').length, 5);
    assert.strictEqual(runFinished(r.events).t, 4_000);
  });

  it('04-gather: the program from the issue; main waits on a gather of the four tasks', () => {
    const r = runTraced('examples/seed/04-gather.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), CRAWL_CONCURRENT);
    const mainWaits = suspensions(r.events, 1);
    assert.strictEqual(mainWaits.length, 1);
    assert.deepStrictEqual(mainWaits[0].reason, { kind: 'gather', targets: [2, 3, 4, 5] });
    assert.strictEqual(mainWaits[0].site?.line, lineOf('examples/seed/04-gather.ts', 'await asyncio.gather'));
    assert.strictEqual(runFinished(r.events).t, 4_000);
  });

  it('05-runtime-await: awaited coroutines run inside main, in sequence (3 s)', () => {
    const r = runTraced('examples/seed/05-runtime-await.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), [
      'before await',
      'worker_1 start',
      'worker_1 done',
      'awaited worker_1',
      'worker_2 start',
      'worker_2 done',
      'awaited worker_2',
    ]);
    assert.strictEqual(r.events.filter((e) => e.type === 'task.created').length, 1);
    const sites = suspensions(r.events, 1).map((s) => s.site?.line);
    assert.deepStrictEqual(sites, [
      lineOf('examples/seed/05-runtime-await.ts', 'await asyncio.sleep(1)'),
      lineOf('examples/seed/05-runtime-await.ts', 'await asyncio.sleep(2)'),
    ]);
    assert.strictEqual(runFinished(r.events).t, 3_000);
  });

  it('06-runtime-tasks: worker_1 sleeps 1 s and worker_2 2 s, overlapping; main awaits task1 then task2', () => {
    const file = 'examples/seed/06-runtime-tasks.ts';
    const r = runTraced(file);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), [
      'before await',
      'worker_1 start',
      'worker_2 start',
      'worker_1 done',
      'awaited worker_1',
      'worker_2 done',
      'awaited worker_2',
    ]);
    const main = taskIdByName(r.events, 'main');
    const w1 = taskIdByName(r.events, 'worker_1');
    const w2 = taskIdByName(r.events, 'worker_2');
    const [s1] = suspensions(r.events, w1);
    const [s2] = suspensions(r.events, w2);
    assert.deepStrictEqual(s1.reason, { kind: 'sleep', seconds: 1, until: 1000 });
    assert.deepStrictEqual(s2.reason, { kind: 'sleep', seconds: 2, until: 2000 });
    assert.strictEqual(s1.t, 0);
    assert.strictEqual(s2.t, 0);
    assert.strictEqual(s1.site?.line, lineOf(file, 'await asyncio.sleep(1)'));
    assert.strictEqual(s2.site?.line, lineOf(file, 'await asyncio.sleep(2)'));
    assert.strictEqual(endOf(r.events, w1).t, 1000);
    assert.strictEqual(endOf(r.events, w2).t, 2000);
    assert.deepStrictEqual(
      suspensions(r.events, main).map((s) => [s.t, s.reason]),
      [
        [0, { kind: 'task', target: w1 }],
        [1000, { kind: 'task', target: w2 }],
      ],
    );
    const created = r.events.find((e) => e.type === 'task.created' && e.task === w1);
    assert.ok(created && created.type === 'task.created');
    assert.strictEqual(created.parent, main);
    assert.strictEqual(created.site?.line, lineOf(file, 'createTask(worker1()'));
    // The workers' output is attributed to them.
    const out = r.events.find((e) => e.type === 'output' && e.text === 'worker_2 start\n');
    assert.ok(out && out.type === 'output');
    assert.strictEqual(out.task, w2);
  });

  it('07-cancel-timeout: one done with 1, one failed, one cancelled by main; gather returns them as values', () => {
    const file = 'examples/seed/07-cancel-timeout.ts';
    const r = runTraced(file);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), ["[ 1, 'RangeError: division by zero', 'CancelledError' ]"]);
    const [main, w1, w2, w3] = ['main', 'worker_1', 'worker_2', 'worker_3'].map((n) => taskIdByName(r.events, n));
    assert.deepStrictEqual(endOf(r.events, w1), { t: 1000, type: 'task.done', task: w1, result: '1' });
    const failed = endOf(r.events, w2);
    assert.ok(failed.type === 'task.failed');
    assert.strictEqual(failed.t, 2000);
    assert.strictEqual(failed.error.name, 'RangeError');
    assert.strictEqual(failed.error.message, 'division by zero');
    assert.match(failed.error.stack ?? '', /07-cancel-timeout\.ts:\d+/);
    const cancel = r.events.find((e) => e.type === 'task.cancelRequested');
    assert.ok(cancel && cancel.type === 'task.cancelRequested');
    assert.strictEqual(cancel.task, w3);
    assert.strictEqual(cancel.by, main);
    assert.strictEqual(cancel.site?.line, lineOf(file, 'task3.cancel()'));
    assert.strictEqual(endOf(r.events, w3).type, 'task.cancelled');
    assert.strictEqual(endOf(r.events, main).type, 'task.done');
  });

  it('08-producer-consumer: values pass through the queue in pairs each second; consumers end cancelled', () => {
    const r = runTraced('examples/seed/08-producer-consumer.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    const pattern = ['producer_1 put', 'producer_2 put', 'consumer_1 get', 'consumer_2 get'];
    assert.strictEqual(out.length, 20);
    out.forEach((line, i) => assert.match(line, new RegExp(`^${pattern[i % 4]} a val: ([1-9]|10)$`)));
    // Each consumer gets exactly what a producer put, in order.
    const put = out.filter((l) => l.includes(' put ')).map((l) => l.split(': ')[1]);
    const got = out.filter((l) => l.includes(' get ')).map((l) => l.split(': ')[1]);
    assert.deepStrictEqual(got, put);
    const queue = r.events.find((e) => e.type === 'resource.created');
    assert.ok(queue && queue.type === 'resource.created' && queue.kind === 'queue');
    const gets = r.events.filter((e) => e.type === 'queue.get');
    assert.strictEqual(gets.length, 10);
    for (const name of ['consumer_1', 'consumer_2']) {
      assert.strictEqual(endOf(r.events, taskIdByName(r.events, name)).type, 'task.cancelled');
    }
    for (const name of ['producer_1', 'producer_2', 'main']) {
      assert.strictEqual(endOf(r.events, taskIdByName(r.events, name)).type, 'task.done');
    }
    assert.strictEqual(runFinished(r.events).t, 10_000);
  });
});
