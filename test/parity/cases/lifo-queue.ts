// LifoQueue: the most recently added item first; a bounded one blocks put() like Queue.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.LifoQueue<string>();
  for (const v of ['a', 'b', 'c']) q.putNowait(v);
  log('order:', q.getNowait(), q.getNowait(), q.getNowait());

  const b = new asyncio.LifoQueue<string>(2);

  const producer = asyncio.coroutine(async function producer() {
    for (const v of ['x', 'y', 'z']) {
      await b.put(v);
      log('put', v);
    }
  });

  const p = asyncio.createTask(producer());
  await asyncio.sleep(0.01);
  log('qsize while producer blocked', b.qsize());
  log('get', await b.get());
  await asyncio.sleep(0);
  log('get', await b.get());
  log('get', await b.get());
  await p;
});

void asyncio.run(main());
