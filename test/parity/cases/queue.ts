// Queue: FIFO; with maxsize, put() blocks while the queue is full and blocked putters go on in FIFO order as getters
// make room; getters blocked on an empty queue are served in FIFO order; getNowait/putNowait raise
// QueueEmpty/QueueFull; qsize/empty/full.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const producer = asyncio.coroutine(async function producer(q: asyncio.Queue<string>, name: string, items: string[]) {
  for (const it of items) {
    log(name, 'puts', it);
    await q.put(it);
    log(name, 'put done', it, 'qsize', q.qsize());
  }
});

const consumer = asyncio.coroutine(async function consumer(q: asyncio.Queue<string>, name: string, n: number) {
  for (let i = 0; i < n; i++) {
    const it = await q.get();
    log(name, 'got', it);
    await asyncio.sleep(0.01);
  }
});

const getter = asyncio.coroutine(async function getter(q: asyncio.Queue<string>, name: string) {
  log(name, 'waits');
  log(name, 'got', await q.get());
});

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.Queue<number>();
  try {
    q.getNowait();
  } catch (e) {
    if (e instanceof asyncio.QueueEmpty) log('get_nowait on empty:', e.name);
  }
  for (let i = 0; i < 3; i++) q.putNowait(i);
  log('qsize', q.qsize(), 'empty', tf(q.empty()), 'full', tf(q.full()));
  log('fifo:', q.getNowait(), q.getNowait(), q.getNowait());

  const b = new asyncio.Queue<string>(2);
  b.putNowait('x');
  b.putNowait('y');
  log('full', tf(b.full()));
  try {
    b.putNowait('z');
  } catch (e) {
    if (e instanceof asyncio.QueueFull) log('put_nowait on full:', e.name);
  }
  b.getNowait();
  b.getNowait();

  const p1 = asyncio.createTask(producer(b, 'p1', ['a1', 'a2', 'a3']));
  const p2 = asyncio.createTask(producer(b, 'p2', ['b1', 'b2']));
  await asyncio.sleep(0.005);
  const c = asyncio.createTask(consumer(b, 'c', 5));
  await asyncio.gather(p1, p2, c);

  const e = new asyncio.Queue<string>();
  const gs = ['g1', 'g2', 'g3'].map((n) => asyncio.createTask(getter(e, n)));
  await asyncio.sleep(0);
  for (const v of ['v1', 'v2', 'v3']) e.putNowait(v);
  log('main put three');
  await asyncio.gather(...gs);
});

void asyncio.run(main());
