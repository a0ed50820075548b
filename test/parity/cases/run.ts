// run(): returns main's result; a task scheduled before main returned still gets its first step (it was ahead of
// main's completion in the ready queue); tasks still pending are then cancelled and their finally blocks run; an
// error in main comes out of run(), and run() can be called again; a main task cancelled by a child makes run()
// raise CancelledError.
//
// Differences from Python: run() returns a promise (JavaScript cannot block), so the program awaits it where Python's
// asyncio.run() simply returns.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const leftover = asyncio.coroutine(async function leftover() {
  log('leftover: start');
  try {
    await asyncio.sleep(1);
    log('leftover: never printed');
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('leftover: cancelled at shutdown');
    throw e;
  } finally {
    log('leftover: finally');
  }
});

const late = asyncio.coroutine(async function late() {
  log('late: first step runs before shutdown');
  await asyncio.sleep(1);
  log('late: never printed');
});

const main = asyncio.coroutine(async function main() {
  log('main: start');
  asyncio.createTask(leftover());
  await asyncio.sleep(0);
  asyncio.createTask(late());
  log('main: returns 42');
  return 42;
});

const failingMain = asyncio.coroutine(async function failingMain(): Promise<never> {
  log('failing_main: start');
  await asyncio.sleep(0.01);
  throw new RangeError('main failed');
});

const cancelsMain = asyncio.coroutine(async function cancelsMain(mainTask: asyncio.Task<unknown>) {
  log('cancels_main: cancelling main');
  mainTask.cancel();
});

const cancelledMain = asyncio.coroutine(async function cancelledMain() {
  asyncio.createTask(cancelsMain(asyncio.currentTask()!));
  try {
    await asyncio.sleep(1);
  } finally {
    log('cancelled_main: finally');
  }
});

async function program(): Promise<void> {
  log('before run');
  const result = await asyncio.run(main());
  log('run returned', result);
  try {
    await asyncio.run(failingMain());
  } catch (e) {
    // Python raises ValueError; the name is mapped here.
    if (e instanceof RangeError) log('second run raised', 'ValueError', e.message);
  }
  try {
    await asyncio.run(cancelledMain());
  } catch (e) {
    if (e instanceof asyncio.CancelledError) log('third run raised', e.name);
  }
  log('end');
}

void program();
