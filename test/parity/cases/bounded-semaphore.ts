// BoundedSemaphore: behaves as a semaphore, and releasing more than was acquired raises (Python: ValueError; ours: a
// RangeError; both sides print the fixed word "over-release").
//
// Difference from Python: `async with sem:` is `await sem.acquire(); try { ... } finally { sem.release(); }`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const worker = asyncio.coroutine(async function worker(sem: asyncio.BoundedSemaphore, name: string, hold: number) {
  await sem.acquire();
  try {
    log(name, 'in');
    await asyncio.sleep(hold);
    log(name, 'out');
  } finally {
    sem.release();
  }
});

const main = asyncio.coroutine(async function main() {
  const sem = new asyncio.BoundedSemaphore(2);
  const holds: [string, number][] = [['a', 0.01], ['b', 0.03], ['c', 0.01]];
  await asyncio.gather(...holds.map(([n, h]) => worker(sem, n, h)));
  try {
    sem.release();
    log('released (wrong)');
  } catch (e) {
    if (e instanceof RangeError) log('over-release');
  }
  await sem.acquire();
  sem.release();
  log('acquire then release is fine');
  try {
    sem.release();
  } catch (e) {
    if (e instanceof RangeError) log('over-release');
  }
});

void asyncio.run(main());
