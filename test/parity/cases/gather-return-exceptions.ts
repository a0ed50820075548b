// gather(..., returnExceptions): errors and CancelledErrors come back as values, in argument order, after every
// child has finished.
//
// Difference from Python: the children throw RangeError for Python's ValueError; it is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

function show(v: unknown): string {
  if (v instanceof Error) {
    const name = v instanceof RangeError ? 'ValueError' : v.name;
    return name + (v.message ? ': ' + v.message : '');
  }
  return String(v);
}

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
  const a = asyncio.createTask(child('a', 0.04));
  const b = asyncio.createTask(child('b', 0.01, true));
  const c = asyncio.createTask(child('c', 1));
  const d = asyncio.createTask(child('d', 0.02, true));

  const canceller = asyncio.coroutine(async function canceller() {
    await asyncio.sleep(0.03);
    log('canceller: cancel c');
    c.cancel();
  });

  asyncio.createTask(canceller());
  const res = await asyncio.gather(a, b, c, d, { returnExceptions: true });
  log('results:', res.map(show).join(' | '));
});

void asyncio.run(main());
