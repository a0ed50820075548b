// Cancelling a gather cancels its children (each handles its CancelledError), then the gather raises
// CancelledError, even with returnExceptions; cancelling the task that awaits a gather cancels the children the
// same way.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');
const isCancel = (e: unknown): boolean => e instanceof asyncio.CancelledError;

const child = asyncio.coroutine(async function child(name: string) {
  try {
    log(name, 'start');
    await asyncio.sleep(1);
  } catch (e) {
    if (isCancel(e)) log(name, 'cancelled');
    throw e;
  } finally {
    log(name, 'finally');
  }
});

const awaitsGather = asyncio.coroutine(async function awaitsGather() {
  try {
    await asyncio.gather(child('p'), child('q'));
  } catch (e) {
    if (isCancel(e)) log('awaits_gather: cancelled');
    throw e;
  }
});

const main = asyncio.coroutine(async function main() {
  const g = asyncio.gather(child('a'), child('b'));
  await asyncio.sleep(0.01);
  log('cancel() ->', tf(g.cancel()));
  try {
    await g;
  } catch (e) {
    if (isCancel(e)) log('gather raised CancelledError; cancelled():', tf(g.cancelled()));
  }

  const g2 = asyncio.gather(child('r'), child('s'), { returnExceptions: true });
  await asyncio.sleep(0.01);
  g2.cancel();
  try {
    await g2;
    log('returned (wrong)');
  } catch (e) {
    if (isCancel(e)) log('returnExceptions gather cancelled: raised CancelledError');
  }

  const t = asyncio.createTask(awaitsGather());
  await asyncio.sleep(0.01);
  log('cancel the awaiting task');
  t.cancel();
  try {
    await t;
  } catch (e) {
    if (isCancel(e)) log('awaiting task cancelled():', tf(t.cancelled()));
  }
});

void asyncio.run(main());
