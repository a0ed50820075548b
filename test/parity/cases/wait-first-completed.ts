// wait(FIRST_COMPLETED): returns as soon as one task is done; the others stay pending and keep running.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const names = (s: Set<asyncio.Future<unknown>>): string =>
  '[' + [...s].map((t) => (t as asyncio.Task<unknown>).name).sort().join(', ') + ']';

const child = asyncio.coroutine(async function child(name: string, d: number) {
  await asyncio.sleep(d);
  log(name, 'done');
  return name;
});

const main = asyncio.coroutine(async function main() {
  const specs: [string, number][] = [['a', 0.04], ['b', 0.01], ['c', 0.03], ['d', 0.02]];
  const ts = specs.map(([n, d]) => asyncio.createTask(child(n, d), { name: n }));
  let { done, pending } = await asyncio.wait(ts, { returnWhen: asyncio.FIRST_COMPLETED });
  log('done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(pending, { returnWhen: asyncio.FIRST_COMPLETED }));
  log('done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(ts, { returnWhen: asyncio.FIRST_COMPLETED }));
  log('some already done: done', names(done), 'pending', names(pending));
  await asyncio.sleep(0.03);
  log('end');
});

void asyncio.run(main());
