// Timers with equal deadlines fire in the order they were set; a timer set later never overtakes one set earlier
// for the same or an earlier moment, even when it was set in a later step (b: 0.01 + 0.01 versus a: 0.02).
//
// The parity suite also runs this program with the real clock, to show the order does not depend on the clock.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const sleeper = asyncio.coroutine(async function sleeper(name: string, d: number) {
  await asyncio.sleep(d);
  log(name, 'woke after', d);
});

const twoSteps = asyncio.coroutine(async function twoSteps(name: string) {
  await asyncio.sleep(0.01);
  log(name, 'first wake');
  await asyncio.sleep(0.01);
  log(name, 'second wake');
});

const main = asyncio.coroutine(async function main() {
  // Created in the order z, y, x, w: same delay, so they wake in that order.
  const ts: asyncio.Task<void>[] = ['z', 'y', 'x', 'w'].map((n) => asyncio.createTask(sleeper(n, 0.02)));
  ts.push(asyncio.createTask(sleeper('a', 0.02)));
  ts.push(asyncio.createTask(twoSteps('b')));
  ts.push(asyncio.createTask(sleeper('c', 0.02)));
  await asyncio.gather(...ts);
  log('done');
});

void asyncio.run(main());
