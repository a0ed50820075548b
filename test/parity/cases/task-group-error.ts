// taskGroup() failure: a failing child cancels the other children and the body (each handles its CancelledError),
// then the group raises an ExceptionGroup whose exceptions are the children's errors, in the order they happened;
// two children failing in the same loop turn both end up in it; an error in the body cancels the children too.
//
// Differences from Python: `async with asyncio.TaskGroup() as tg:` is `await asyncio.taskGroup(async (tg) => ...)`;
// RangeError stands for ValueError and Error('KeyError') for KeyError, printed under Python's names.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const isCancel = (e: unknown): boolean => e instanceof asyncio.CancelledError;
const pyName = (e: unknown): string => (e instanceof RangeError ? 'ValueError' : (e as Error).name);

function showGroup(eg: asyncio.ExceptionGroup): string {
  return eg.name + ' [' + eg.exceptions.map((e) => pyName(e) + ': ' + (e as Error).message).join(', ') + ']';
}

const sleeper = asyncio.coroutine(async function sleeper(name: string, d: number) {
  try {
    log(name, 'start');
    await asyncio.sleep(d);
    log(name, 'done');
  } catch (e) {
    if (isCancel(e)) log(name, 'cancelled');
    throw e;
  } finally {
    log(name, 'finally');
  }
});

const fails = asyncio.coroutine(async function fails(name: string, d: number, exc: Error): Promise<never> {
  log(name, 'start');
  if (d) await asyncio.sleep(d);
  log(name, 'raises');
  throw exc;
});

const main = asyncio.coroutine(async function main() {
  try {
    await asyncio.taskGroup(async (tg) => {
      tg.createTask(sleeper('a', 1));
      tg.createTask(fails('b', 0.01, new RangeError('b failed')));
      tg.createTask(sleeper('c', 1));
      try {
        await asyncio.sleep(1);
        log('body: never printed');
      } catch (e) {
        if (isCancel(e)) log('body: cancelled');
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof asyncio.ExceptionGroup) log('caught', showGroup(e));
  }

  try {
    await asyncio.taskGroup(async (tg) => {
      tg.createTask(sleeper('d', 1));
      tg.createTask(fails('e', 0, new RangeError('e failed')));
      tg.createTask(fails('f', 0, new TypeError('f failed')));
      log('body: ends');
    });
  } catch (e) {
    if (e instanceof asyncio.ExceptionGroup) log('caught', showGroup(e));
  }

  try {
    await asyncio.taskGroup(async (tg) => {
      tg.createTask(sleeper('g', 1));
      await asyncio.sleep(0.01);
      log('body: raises');
      const err = new Error('body failed');
      err.name = 'KeyError';
      throw err;
    });
  } catch (e) {
    if (e instanceof asyncio.ExceptionGroup) log('caught', e.name, pyName(e.exceptions[0]));
  }
});

void asyncio.run(main());
