// waitFor() timeout: the inner awaitable is cancelled and waitFor WAITS until it has finished cancelling (its finally,
// even one that awaits, prints before the TimeoutError is caught); an inner task that swallows the cancellation makes
// waitFor return its value; an error raised while cancelling replaces the TimeoutError; a shielded task keeps running;
// timeout 0 cancels a coroutine before it starts; cancelling the task inside waitFor cancels the inner awaitable too.
//
// Difference from Python: KeyError is an Error named 'KeyError'.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');
const isCancel = (e: unknown): boolean => e instanceof asyncio.CancelledError;

const slow = asyncio.coroutine(async function slow(name: string) {
  log(name, 'start');
  try {
    await asyncio.sleep(1);
    log(name, 'never printed');
  } catch (e) {
    if (isCancel(e)) log(name, 'cancelled');
    throw e;
  } finally {
    log(name, 'finally: cleaning up');
    await asyncio.sleep(0.01);
    log(name, 'finally: cleaned up');
  }
});

const stubborn = asyncio.coroutine(async function stubborn() {
  try {
    await asyncio.sleep(1);
  } catch (e) {
    if (!isCancel(e)) throw e;
    log('stubborn: swallows the cancellation');
  }
  return 'stubborn-value';
});

const failsOnCancel = asyncio.coroutine(async function failsOnCancel() {
  try {
    await asyncio.sleep(1);
  } catch (e) {
    if (!isCancel(e)) throw e;
    log('fails_on_cancel: raises while being cancelled');
    const err = new Error('cleanup failed');
    err.name = 'KeyError';
    throw err;
  }
});

const protectedWork = asyncio.coroutine(async function protectedWork() {
  await asyncio.sleep(0.03);
  log('protected: finished anyway');
  return 'protected-value';
});

const notStarted = asyncio.coroutine(async function notStarted() {
  log('not_started: body ran (wrong)');
});

const outer = asyncio.coroutine(async function outer() {
  try {
    return await asyncio.waitFor(slow('inner'), 1);
  } catch (e) {
    if (isCancel(e)) log('outer: cancelled');
    throw e;
  }
});

const main = asyncio.coroutine(async function main() {
  try {
    await asyncio.waitFor(slow('a'), 0.02);
  } catch (e) {
    if (e instanceof asyncio.TimeoutError) log('caught', e.name);
  }

  const t = asyncio.createTask(slow('b'));
  try {
    await asyncio.waitFor(t, 0.02);
  } catch (e) {
    if (e instanceof asyncio.TimeoutError) log('caught', e.name, '; task cancelled():', tf(t.cancelled()));
  }

  log('stubborn ->', await asyncio.waitFor(stubborn(), 0.01));

  try {
    await asyncio.waitFor(notStarted(), 0);
  } catch (e) {
    if (e instanceof asyncio.TimeoutError) log('timeout 0 ->', e.name);
  }

  try {
    await asyncio.waitFor(failsOnCancel(), 0.01);
  } catch (e) {
    if ((e as Error).name === 'KeyError') log('error raised during the cancellation ->', 'KeyError');
  }

  const p = asyncio.createTask(protectedWork());
  try {
    await asyncio.waitFor(asyncio.shield(p), 0.01);
  } catch (e) {
    if (e instanceof asyncio.TimeoutError) log('shielded ->', e.name, '; task cancelled():', tf(p.cancelled()));
  }
  log('shielded task result', await p);

  const o = asyncio.createTask(outer());
  await asyncio.sleep(0.01);
  log('cancel outer');
  o.cancel();
  try {
    await o;
  } catch (e) {
    if (isCancel(e)) log('outer cancelled():', tf(o.cancelled()));
  }
});

void asyncio.run(main());
