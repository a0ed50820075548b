// waitFor() without a timeout, or finishing in time: the result comes back and nothing is cancelled; an error of the
// inner awaitable propagates; the inner coroutine runs in its own task.
//
// Difference from Python: the RangeError stands for Python's ValueError and is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const work = asyncio.coroutine(async function work(name: string, d: number, fail = false) {
  log(name, 'start in', asyncio.currentTask()!.name === 'main' ? 'main' : 'another task');
  await asyncio.sleep(d);
  if (fail) throw new RangeError(name + ' failed');
  log(name, 'done');
  return name + '-result';
});

const main = asyncio.coroutine(async function main() {
  asyncio.currentTask()!.setName('main');
  log('no timeout ->', await asyncio.waitFor(work('a', 0.02), null));
  log('in time ->', await asyncio.waitFor(work('b', 0.01), 0.05));
  const t = asyncio.createTask(work('c', 0.01));
  log('task in time ->', await asyncio.waitFor(t, 1));
  try {
    await asyncio.waitFor(work('d', 0.01, true), 0.05);
  } catch (e) {
    if (e instanceof RangeError) log('inner error ->', 'ValueError', e.message);
  }
});

void asyncio.run(main());
