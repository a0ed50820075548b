// Queue.taskDone/join: join() returns only after taskDone() was called once per item put; joiners wake in order,
// after the worker that made the count reach zero yields; join() on a queue with nothing unfinished returns at once.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const worker = asyncio.coroutine(async function worker(q: asyncio.Queue<number>, name: string): Promise<never> {
  for (;;) {
    const it = await q.get();
    log(name, 'processing', it);
    await asyncio.sleep(0.01);
    log(name, 'task_done', it);
    q.taskDone();
  }
});

const joiner = asyncio.coroutine(async function joiner(q: asyncio.Queue<number>, name: string) {
  await q.join();
  log(name, 'join returned');
});

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.Queue<number>();
  await q.join();
  log('join on a fresh queue returned at once');
  for (let i = 0; i < 4; i++) q.putNowait(i);
  const ws = ['w1', 'w2'].map((n) => asyncio.createTask(worker(q, n)));
  const js = ['j1', 'j2'].map((n) => asyncio.createTask(joiner(q, n)));
  await q.join();
  log('main join returned, qsize', q.qsize());
  await asyncio.gather(...js);
  for (const w of ws) w.cancel();
  await asyncio.gather(...ws, { returnExceptions: true });
  log('workers stopped');
});

void asyncio.run(main());
