// Cancelling waiters of a Queue: a getter woken by a put but cancelled before it ran passes the item on to the next
// getter (nothing is lost); a putter cancelled while blocked does not put its item; the other waiters keep their
// FIFO order.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const getter = asyncio.coroutine(async function getter(q: asyncio.Queue<string>, name: string) {
  try {
    log(name, 'got', await q.get());
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log(name, 'cancelled');
    throw e;
  }
});

const putter = asyncio.coroutine(async function putter(q: asyncio.Queue<string>, name: string, item: string) {
  try {
    await q.put(item);
    log(name, 'put', item);
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log(name, 'cancelled');
    throw e;
  }
});

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.Queue<string>();
  const gs = ['g1', 'g2', 'g3'].map((n) => asyncio.createTask(getter(q, n)));
  await asyncio.sleep(0);
  q.putNowait('item-1');
  gs[0].cancel();
  log('put one item, cancelled g1 before it ran');
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  log('qsize', q.qsize());
  q.putNowait('item-2');
  await asyncio.gather(...gs, { returnExceptions: true });

  const b = new asyncio.Queue<string>(1);
  b.putNowait('first');
  const ps = ['p1', 'p2', 'p3'].map((n) => asyncio.createTask(putter(b, n, n + '-item')));
  await asyncio.sleep(0);
  ps[1].cancel();
  await asyncio.sleep(0);
  const items: string[] = [];
  for (let i = 0; i < 3; i++) items.push(await b.get());
  log('got', items.join(' '), 'qsize', b.qsize());
  await asyncio.gather(...ps, { returnExceptions: true });
});

void asyncio.run(main());
