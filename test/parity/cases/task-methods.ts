// Task: done(), result(), exception(), cancelled(), name, cancel(msg), addDoneCallback (callbacks run from the loop,
// in registration order, after the task is done; one added to a done task is scheduled, not called at once).
//
// Differences from Python: exception() of a task that succeeded is null (Python: None); the ValueError is a
// RangeError here and is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');
const pyName = (e: unknown): string => (e instanceof RangeError ? 'ValueError' : (e as Error).name);

function state(t: asyncio.Task<unknown>): string {
  if (t.cancelled()) return 'cancelled';
  const e = t.exception();
  return e !== null ? 'failed ' + pyName(e) : 'ok ' + String(t.result());
}

const ok = asyncio.coroutine(async function ok() {
  await asyncio.sleep(0.01);
  return 'ok-value';
});

const bad = asyncio.coroutine(async function bad(): Promise<string> {
  await asyncio.sleep(0.02);
  throw new RangeError('boom');
});

const slow = asyncio.coroutine(async function slow() {
  await asyncio.sleep(1);
});

const main = asyncio.coroutine(async function main() {
  const tOk = asyncio.createTask(ok(), { name: 'ok' });
  const tBad = asyncio.createTask(bad(), { name: 'bad' });
  const tSlow = asyncio.createTask(slow(), { name: 'slow' });
  log(tOk.name, 'done()', tf(tOk.done()), 'cancelled()', tf(tOk.cancelled()));
  try {
    tOk.result();
  } catch (e) {
    if (e instanceof asyncio.InvalidStateError) log('result() while pending:', e.name);
  }
  try {
    tOk.exception();
  } catch (e) {
    if (e instanceof asyncio.InvalidStateError) log('exception() while pending:', e.name);
  }
  for (const t of [tOk, tBad, tSlow] as asyncio.Task<unknown>[]) {
    t.addDoneCallback((t) => log('callback 1:', t.name, state(t)));
  }
  tOk.addDoneCallback((t) => log('callback 2:', t.name));
  const r = await tOk;
  log('main woke with', r, 'done()', tf(tOk.done()));
  log('ok exception() is none:', tf(tOk.exception() === null));
  try {
    await tBad;
  } catch (e) {
    log('awaiting bad raised', pyName(e), (e as Error).message);
  }
  const e = tBad.exception() as Error;
  log('bad exception():', pyName(e), e.message);
  try {
    tBad.result();
  } catch (e) {
    log('bad result() raised', pyName(e));
  }
  log('cancel() ->', tf(tSlow.cancel('stop it')));
  log('cancelled() right after cancel():', tf(tSlow.cancelled()));
  await asyncio.sleep(0);
  log('after one yield: cancelled()', tf(tSlow.cancelled()), 'done()', tf(tSlow.done()));
  try {
    tSlow.result();
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('result() of cancelled raised', e.name, e.message);
  }
  try {
    tSlow.exception();
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('exception() of cancelled raised', e.name);
  }
  log('cancel() again ->', tf(tSlow.cancel()));
  tOk.addDoneCallback(() => log('late callback on a done task'));
  log('after adding the late callback');
  await asyncio.sleep(0);
  log('end');
});

void asyncio.run(main());
