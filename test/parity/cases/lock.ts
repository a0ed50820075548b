// Lock: FIFO fairness: waiters acquire in the order they asked; a task that asks again right after releasing does
// not barge ahead of the waiters even though the lock is momentarily free; a cancelled waiter is skipped, and a
// waiter cancelled after it was woken (before it ran) passes the lock on; releasing an unlocked lock raises.
//
// Difference from Python: `async with lock:` is `await lock.acquire(); try { ... } finally { lock.release(); }`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const user = asyncio.coroutine(async function user(lock: asyncio.Lock, name: string, hold: number) {
  log(name, 'wants the lock');
  try {
    await lock.acquire();
    try {
      log(name, 'holds the lock');
      await asyncio.sleep(hold);
      log(name, 'releases');
    } finally {
      lock.release();
    }
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log(name, 'cancelled');
    throw e;
  }
});

const main = asyncio.coroutine(async function main() {
  const lock = new asyncio.Lock();
  log('locked', tf(lock.locked()));
  await lock.acquire();
  log('main holds the lock; locked', tf(lock.locked()));
  let ts = ['a', 'b', 'c', 'd'].map((n) => asyncio.createTask(user(lock, n, 0.01)));
  await asyncio.sleep(0);
  log('main cancels c while it waits');
  ts[2].cancel();
  await asyncio.sleep(0);
  lock.release();
  log('main released; locked', tf(lock.locked()), '; main asks again at once');
  await lock.acquire();
  log('main holds the lock again');
  lock.release();
  await asyncio.gather(...ts, { returnExceptions: true });

  await lock.acquire();
  ts = ['x', 'y'].map((n) => asyncio.createTask(user(lock, n, 0.01)));
  await asyncio.sleep(0);
  lock.release();
  ts[0].cancel();
  log('main released, then cancelled x before it could run');
  await asyncio.gather(...ts, { returnExceptions: true });
  log('locked', tf(lock.locked()));
  try {
    lock.release();
  } catch (e) {
    if (e instanceof asyncio.RuntimeError) log('release of an unlocked lock:', e.name);
  }
});

void asyncio.run(main());
