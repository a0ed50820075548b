// wait(timeout): returns the done and pending sets when the timeout expires, without raising and without cancelling
// the pending tasks, which keep running.
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
  const specs: [string, number][] = [['a', 0.01], ['b', 0.07], ['c', 0.02], ['d', 0.05]];
  const ts = specs.map(([n, d]) => asyncio.createTask(child(n, d), { name: n }));
  let { done, pending } = await asyncio.wait(ts, { timeout: 0.03 });
  log('after 0.03: done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(pending, { timeout: 0.01 }));
  log('nothing more within 0.01: done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(pending, { timeout: 1, returnWhen: asyncio.FIRST_COMPLETED }));
  log('first completed: done', names(done), 'pending', names(pending));
  ({ done, pending } = await asyncio.wait(ts, { timeout: 1 }));
  log('all done before the timeout: pending', names(pending));
});

void asyncio.run(main());
