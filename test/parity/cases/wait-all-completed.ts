// wait() (ALL_COMPLETED, the default): returns when every task is done, errors included, without raising.
//
// Difference from Python: the RangeError stands for Python's ValueError and is printed under Python's name.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const names = (s: Set<asyncio.Future<unknown>>): string =>
  '[' + [...s].map((t) => (t as asyncio.Task<unknown>).name).sort().join(', ') + ']';

const child = asyncio.coroutine(async function child(name: string, d: number, fail = false) {
  await asyncio.sleep(d);
  if (fail) {
    log(name, 'raises');
    throw new RangeError(name);
  }
  log(name, 'done');
  return name;
});

const main = asyncio.coroutine(async function main() {
  const specs: [string, number, boolean][] = [['a', 0.03, false], ['b', 0.01, true], ['c', 0.02, false]];
  const ts = specs.map(([n, d, f]) => asyncio.createTask(child(n, d, f), { name: n }));
  let { done, pending } = await asyncio.wait(ts);
  log('done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(ts, { returnWhen: asyncio.ALL_COMPLETED }));
  log('again, all already done:', names(done), names(pending));
  log('b raised', ts[1].exception() instanceof RangeError ? 'ValueError' : 'something else');
});

void asyncio.run(main());
