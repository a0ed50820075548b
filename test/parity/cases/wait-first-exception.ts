// wait(FIRST_EXCEPTION): returns when a task raises (or when all are done if none does); wait itself never raises.
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
  const specs: [string, number, boolean][] = [['a', 0.01, false], ['b', 0.02, true], ['c', 0.03, false], ['d', 0.04, true]];
  const ts = specs.map(([n, d, f]) => asyncio.createTask(child(n, d, f), { name: n }));
  let { done, pending } = await asyncio.wait(ts, { returnWhen: asyncio.FIRST_EXCEPTION });
  log('done', names(done), 'pending', names(pending));
  const sorted = [...done].map((t) => t as asyncio.Task<string>).sort((x, y) => (x.name < y.name ? -1 : 1));
  for (const t of sorted) {
    const e = t.exception();
    log(' ', t.name, e ? 'raised ' + (e instanceof RangeError ? 'ValueError' : (e as Error).name) : 'returned ' + t.result());
  }
  const okSpecs: [string, number][] = [['e', 0.02], ['f', 0.01]];
  const ok = okSpecs.map(([n, d]) => asyncio.createTask(child(n, d), { name: n }));
  ({ done, pending } = await asyncio.wait(ok, { returnWhen: asyncio.FIRST_EXCEPTION }));
  log('no error: done', names(done), 'pending', names(pending));
  await asyncio.gather(...pending, { returnExceptions: true });
  for (const t of ts) if (t.done() && !t.cancelled()) t.exception();
  log('end');
});

void asyncio.run(main());
