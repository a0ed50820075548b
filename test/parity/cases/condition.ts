// Condition: wait() releases the lock until notified, then takes it back; notify(n) wakes the first n waiters in FIFO
// order, and they run only once the notifier releases the lock; notifyAll wakes the rest; waitFor re-checks its
// predicate after each notification; a waiter cancelled in wait() takes the lock back before its CancelledError goes
// on; waiting or notifying without the lock raises.
//
// Difference from Python: `async with cond:` is `await cond.acquire(); try { ... } finally { cond.release(); }`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const waiter = asyncio.coroutine(async function waiter(cond: asyncio.Condition, name: string) {
  await cond.acquire();
  try {
    log(name, 'waits');
    await cond.wait();
    log(name, 'woke holding the lock:', tf(cond.locked()));
  } finally {
    cond.release();
  }
});

const main = asyncio.coroutine(async function main() {
  const cond = new asyncio.Condition();
  const ws = ['w1', 'w2', 'w3', 'w4'].map((n) => asyncio.createTask(waiter(cond, n)));
  await asyncio.sleep(0);
  await cond.acquire();
  try {
    log('main notifies 2');
    cond.notify(2);
    await asyncio.sleep(0);
    log('main still holds the lock after a yield');
  } finally {
    cond.release();
  }
  await asyncio.sleep(0.01);
  await cond.acquire();
  try {
    log('main notifies all');
    cond.notifyAll();
  } finally {
    cond.release();
  }
  await asyncio.gather(...ws);

  const state = { n: 0 };

  const until = asyncio.coroutine(async function until(k: number) {
    await cond.acquire();
    try {
      const r = await cond.waitFor(() => state.n >= k && 'n=' + state.n);
      log('wait_for', k, 'returned', r);
    } finally {
      cond.release();
    }
  });

  const ts = [2, 1, 3].map((k) => asyncio.createTask(until(k)));
  for (let i = 0; i < 3; i++) {
    await asyncio.sleep(0.01);
    await cond.acquire();
    try {
      state.n += 1;
      log('n is now', state.n);
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }
  await asyncio.gather(...ts);

  const cancelledWaiter = asyncio.coroutine(async function cancelledWaiter() {
    await cond.acquire();
    try {
      await cond.wait();
    } catch (e) {
      if (e instanceof asyncio.CancelledError) log('cancelled waiter: holds the lock again:', tf(cond.locked()));
      throw e;
    } finally {
      cond.release();
    }
  });

  const cw = asyncio.createTask(cancelledWaiter());
  await asyncio.sleep(0);
  await cond.acquire();
  try {
    cw.cancel();
    await asyncio.sleep(0);
    log('main cancelled the waiter while holding the lock');
  } finally {
    cond.release();
  }
  await asyncio.gather(cw, { returnExceptions: true });
  log('cancelled waiter cancelled():', tf(cw.cancelled()), '; locked', tf(cond.locked()));

  try {
    await cond.wait();
  } catch (e) {
    if (e instanceof asyncio.RuntimeError) log('wait without the lock:', e.name);
  }
  try {
    cond.notify();
  } catch (e) {
    if (e instanceof asyncio.RuntimeError) log('notify without the lock:', e.name);
  }
});

void asyncio.run(main());
