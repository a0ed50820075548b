// cancel(): CancelledError is raised inside the task at the await where it is suspended, with the message; finally
// blocks run; cancelled() is only true once the task has handled it; a task that swallows the CancelledError goes on
// and finishes normally; a task cancelled before its first step never runs its body; a task that only yields with
// sleep(0) is cancelled at its next yield.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const tf = (x: boolean): string => (x ? 'true' : 'false');

const worker = asyncio.coroutine(async function worker() {
  log('worker: step 1');
  await asyncio.sleep(0.01);
  log('worker: step 2');
  try {
    log('worker: suspended at the second await');
    await asyncio.sleep(1);
    log('worker: never printed');
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('worker: CancelledError at the second await, message:', e.message);
    throw e;
  } finally {
    log('worker: finally');
  }
});

const swallower = asyncio.coroutine(async function swallower() {
  try {
    await asyncio.sleep(1);
  } catch (e) {
    if (!(e instanceof asyncio.CancelledError)) throw e;
    log('swallower: caught CancelledError, carries on');
  }
  await asyncio.sleep(0.01);
  log('swallower: returns normally');
  return 'survived';
});

const spinner = asyncio.coroutine(async function spinner() {
  let i = 0;
  try {
    for (;;) {
      log('spinner: turn', i);
      i += 1;
      await asyncio.sleep(0);
    }
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('spinner: cancelled at its sleep(0) after', i, 'turns');
    throw e;
  }
});

const neverRuns = asyncio.coroutine(async function neverRuns() {
  log('never_runs: body ran (wrong)');
});

const main = asyncio.coroutine(async function main() {
  const w = asyncio.createTask(worker());
  const s = asyncio.createTask(swallower());
  await asyncio.sleep(0.02);
  log('main: cancel worker');
  w.cancel('enough');
  log('main: worker cancelled() right after cancel():', tf(w.cancelled()));
  try {
    await w;
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('main: awaiting worker raised CancelledError, message:', e.message);
  }
  log('main: worker cancelled():', tf(w.cancelled()));

  s.cancel();
  const r = await s;
  log('main: swallower result', r, 'cancelled():', tf(s.cancelled()));

  const t = asyncio.createTask(neverRuns());
  t.cancel();
  try {
    await t;
  } catch (e) {
    if (e instanceof asyncio.CancelledError) {
      log('main: task cancelled before its first step; cancelled():', tf(t.cancelled()));
    }
  }

  const sp = asyncio.createTask(spinner());
  await asyncio.sleep(0);
  await asyncio.sleep(0);
  log('main: cancel spinner');
  sp.cancel();
  await asyncio.gather(sp, { returnExceptions: true });
  log('main: spinner cancelled():', tf(sp.cancelled()));
});

void asyncio.run(main());
