// shield(): cancelling the task that awaits the shield raises CancelledError there, but the inner task keeps running
// and can still be awaited; an inner error still propagates through the shield; cancelling the inner task itself
// cancels the awaiter.
//
// Difference from Python: the RangeError stands for Python's ValueError and is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');
const isCancel = (e: unknown): boolean => e instanceof asyncio.CancelledError;

const inner = asyncio.coroutine(async function inner(name: string, d: number, fail = false) {
  log(name, 'start');
  await asyncio.sleep(d);
  if (fail) throw new RangeError(name + ' failed');
  log(name, 'done');
  return name + '-result';
});

const outer = asyncio.coroutine(async function outer(aw: asyncio.Task<string>) {
  try {
    const r = await asyncio.shield(aw);
    log('outer got', r);
  } catch (e) {
    if (isCancel(e)) log('outer: cancelled');
    throw e;
  }
});

const main = asyncio.coroutine(async function main() {
  const it = asyncio.createTask(inner('i', 0.02));
  let ot = asyncio.createTask(outer(it));
  await asyncio.sleep(0.01);
  log('cancel outer');
  ot.cancel();
  try {
    await ot;
  } catch (e) {
    if (isCancel(e)) log('outer cancelled():', tf(ot.cancelled()), '; inner done():', tf(it.done()));
  }
  log('inner result', await it);

  try {
    await asyncio.shield(inner('j', 0.01, true));
  } catch (e) {
    if (e instanceof RangeError) log('error through the shield:', 'ValueError', e.message);
  }

  const kt = asyncio.createTask(inner('k', 1));
  ot = asyncio.createTask(outer(kt));
  await asyncio.sleep(0.01);
  log('cancel the inner task');
  kt.cancel();
  try {
    await ot;
  } catch (e) {
    if (isCancel(e)) log('outer cancelled():', tf(ot.cancelled()));
  }
});

void asyncio.run(main());
