// asCompleted(): awaitables that give the results in completion order; with a timeout, the ones left when it expires
// raise TimeoutError, and their tasks are not cancelled.
//
// Difference from Python: asCompleted returns an array of awaitables (Python: an iterator of coroutines).
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const child = asyncio.coroutine(async function child(name: string, d: number) {
  await asyncio.sleep(d);
  log(name, 'done');
  return name;
});

const main = asyncio.coroutine(async function main() {
  const specs: [string, number][] = [['a', 0.03], ['b', 0.01], ['c', 0.04], ['d', 0.02]];
  let ts = specs.map(([n, d]) => asyncio.createTask(child(n, d)));
  let i = 0;
  for (const aw of asyncio.asCompleted(ts)) {
    const r = await aw;
    log('result', i++, r);
  }

  const specs2: [string, number][] = [['e', 0.05], ['f', 0.01], ['g', 0.03]];
  ts = specs2.map(([n, d]) => asyncio.createTask(child(n, d)));
  for (const aw of asyncio.asCompleted(ts, { timeout: 0.02 })) {
    try {
      log('got', await aw);
    } catch (e) {
      if (e instanceof asyncio.TimeoutError) log('timed out:', e.name);
    }
  }
  log('e, g still running');
  await asyncio.gather(...ts);
  log('end');
});

void asyncio.run(main());
