// Semaphore: at most `value` holders; waiters acquire in FIFO order as holders release; locked() while none is left;
// a waiter woken by release() but cancelled before it ran passes the slot on.
//
// Difference from Python: `async with sem:` is `await sem.acquire(); try { ... } finally { sem.release(); }`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const worker = asyncio.coroutine(async function worker(sem: asyncio.Semaphore, name: string, hold: number) {
  log(name, 'wants a slot');
  await sem.acquire();
  try {
    log(name, 'got a slot');
    await asyncio.sleep(hold);
    log(name, 'gives it back');
  } finally {
    sem.release();
  }
});

const main = asyncio.coroutine(async function main() {
  const sem = new asyncio.Semaphore(2);
  const specs: [string, number][] = [['a', 0.05], ['b', 0.02], ['c', 0.02], ['d', 0.02], ['e', 0.02]];
  const ts = specs.map(([n, h]) => asyncio.createTask(worker(sem, n, h)));
  await asyncio.sleep(0);
  log('locked', tf(sem.locked()));
  await asyncio.gather(...ts);
  log('locked', tf(sem.locked()));
  sem.release();
  log('released once more: two slots free and one extra; locked', tf(sem.locked()));
  for (let i = 0; i < 3; i++) await sem.acquire();
  log('acquired three; locked', tf(sem.locked()));
  const ws = ['x', 'y'].map((n) => asyncio.createTask(worker(sem, n, 0.01)));
  await asyncio.sleep(0);
  sem.release();
  ws[0].cancel();
  log('released one slot, then cancelled x before it ran');
  await asyncio.gather(...ws, { returnExceptions: true });
  log('x cancelled():', tf(ws[0].cancelled()), '; locked', tf(sem.locked()));
});

void asyncio.run(main());
