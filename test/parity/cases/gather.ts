// gather(): coroutines are wrapped in tasks at once and start in argument order; results come back in argument order
// whatever the completion order; the same awaitable passed twice runs once; gather() of nothing gives [].
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const child = asyncio.coroutine(async function child(name: string, d: number) {
  log(name, 'start');
  await asyncio.sleep(d);
  log(name, 'done');
  return name + '!';
});

const main = asyncio.coroutine(async function main() {
  const t = asyncio.createTask(child('t', 0.02));
  const c = child('twice', 0.01);
  log('gather called');
  const g = asyncio.gather(child('a', 0.03), t, c, child('b', 0.01), c);
  log('nothing started yet');
  const res = await g;
  log('results', res.join(','));
  const empty = await asyncio.gather();
  log('empty gather', empty.length);
});

void asyncio.run(main());
