// gather() without returnExceptions: the first error rejects the gather at once, and the other children KEEP
// RUNNING (a later error is not raised anywhere); a child that is cancelled makes the gather raise CancelledError
// while the awaiting task itself is not cancelled.
//
// Difference from Python: the children throw RangeError for Python's ValueError; it is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const child = asyncio.coroutine(async function child(name: string, d: number, fail = false) {
  log(name, 'start');
  await asyncio.sleep(d);
  if (fail) {
    log(name, 'raises');
    throw new RangeError(name + ' failed');
  }
  log(name, 'done');
  return name;
});

const main = asyncio.coroutine(async function main() {
  try {
    await asyncio.gather(child('a', 0.03), child('b', 0.01, true), child('c', 0.02, true));
  } catch (e) {
    if (e instanceof RangeError) log('gather raised', 'ValueError', e.message);
  }
  log('main continues while a and c run');
  await asyncio.sleep(0.05);

  const x = asyncio.createTask(child('x', 1));
  const y = asyncio.createTask(child('y', 0.02));
  const g = asyncio.gather(x, y);
  await asyncio.sleep(0.01);
  x.cancel();
  try {
    await g;
  } catch (e) {
    if (e instanceof asyncio.CancelledError) {
      log('gather raised CancelledError; main cancelled:', tf(asyncio.currentTask()!.cancelled()));
    }
  }
  log('y done?', tf(y.done()));
  await y;
  log('y done?', tf(y.done()));
});

void asyncio.run(main());
