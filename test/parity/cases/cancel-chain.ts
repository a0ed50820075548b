// Cancelling a task that awaits another task cancels the awaited task too (CPython): the innermost task handles the
// CancelledError first, then each awaiting task in turn. If the awaited task swallows the cancellation, the awaiting
// task is not cancelled and gets its result.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');
const isCancel = (e: unknown): boolean => e instanceof asyncio.CancelledError;

const leaf = asyncio.coroutine(async function leaf() {
  try {
    await asyncio.sleep(1);
  } catch (e) {
    if (isCancel(e)) log('leaf: cancelled');
    throw e;
  } finally {
    log('leaf: finally');
  }
});

const middle = asyncio.coroutine(async function middle(t: asyncio.Task<void>) {
  try {
    await t;
  } catch (e) {
    if (isCancel(e)) log('middle: cancelled; leaf cancelled():', tf(t.cancelled()));
    throw e;
  }
});

const top = asyncio.coroutine(async function top(t: asyncio.Task<void>) {
  try {
    await t;
  } catch (e) {
    if (isCancel(e)) log('top: cancelled; middle cancelled():', tf(t.cancelled()));
    throw e;
  }
});

const stubborn = asyncio.coroutine(async function stubborn() {
  try {
    await asyncio.sleep(1);
  } catch (e) {
    if (!isCancel(e)) throw e;
    log('stubborn: swallows the cancellation');
  }
  return 'stubborn-result';
});

const waitsForStubborn = asyncio.coroutine(async function waitsForStubborn(t: asyncio.Task<string>) {
  const r = await t;
  log('waiter: got', r, 'without being cancelled');
  await asyncio.sleep(0.01);
  log('waiter: still running');
  return 'waiter-result';
});

const main = asyncio.coroutine(async function main() {
  const lt = asyncio.createTask(leaf());
  const mt = asyncio.createTask(middle(lt));
  const tt = asyncio.createTask(top(mt));
  await asyncio.sleep(0.01);
  log('main: cancel top only');
  tt.cancel();
  try {
    await tt;
  } catch (e) {
    if (isCancel(e)) log('main: top raised CancelledError');
  }
  log('main: cancelled()', tf(lt.cancelled()), tf(mt.cancelled()), tf(tt.cancelled()));

  const st = asyncio.createTask(stubborn());
  const wt = asyncio.createTask(waitsForStubborn(st));
  await asyncio.sleep(0.01);
  log('main: cancel the waiter');
  wt.cancel();
  log('main: waiter result', await wt, 'cancelled():', tf(wt.cancelled()));
});

void asyncio.run(main());
