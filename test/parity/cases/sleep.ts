// sleep(seconds, result): sleepers wake in deadline order, whatever order they started in; the result comes back;
// sleep(0) and sleep(0, result) yield once and return.
//
// Difference from Python: sleep(0) resolves with undefined (Python: None).
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const sleeper = asyncio.coroutine(async function sleeper(name: string, d: number) {
  log(name, 'sleeps', d);
  const r = await asyncio.sleep(d, name + '-result');
  log(name, 'woke with', r);
  return r;
});

const main = asyncio.coroutine(async function main() {
  const specs: [string, number][] = [['a', 0.03], ['b', 0.01], ['c', 0.02], ['d', 0.05]];
  const tasks = specs.map(([n, d]) => asyncio.createTask(sleeper(n, d)));
  const r0 = await asyncio.sleep(0);
  log('sleep(0) returned', r0 === undefined ? 'nothing' : r0);
  const r1 = await asyncio.sleep(0, 'zero');
  log('sleep(0, result) returned', r1);
  const r2 = await asyncio.sleep(0.04, [1, 2]);
  log('main woke at 0.04 with', r2[0], r2[1]);
  for (const t of tasks) await t;
  log('all done');
});

void asyncio.run(main());
