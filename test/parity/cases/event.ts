// Event: wait() blocks until set(); set() wakes every waiter, in the order they started waiting; wait() on a set
// event returns at once without yielding; clear() makes wait() block again.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const waiter = asyncio.coroutine(async function waiter(ev: asyncio.Event, name: string) {
  log(name, 'waits');
  const r = await ev.wait();
  log(name, 'woke, wait() returned', tf(r));
});

const other = asyncio.coroutine(async function other() {
  log('other task runs');
});

const main = asyncio.coroutine(async function main() {
  const ev = new asyncio.Event();
  log('is_set', tf(ev.isSet()));
  for (const n of ['w3', 'w1', 'w2']) asyncio.createTask(waiter(ev, n));
  await asyncio.sleep(0.01);
  log('main sets the event');
  ev.set();
  ev.set();
  log('is_set', tf(ev.isSet()));
  await asyncio.sleep(0);
  log('main after one yield');

  asyncio.createTask(other());
  await ev.wait();
  log('wait() on a set event returned without yielding');
  await asyncio.sleep(0);

  ev.clear();
  log('cleared; is_set', tf(ev.isSet()));
  const t = asyncio.createTask(waiter(ev, 'late'));
  await asyncio.sleep(0.01);
  log('late still waiting:', tf(!t.done()));
  ev.set();
  await t;
});

void asyncio.run(main());
