// coroutine(): calling it starts nothing; awaiting it runs the body inside the awaiting task, without yielding to
// other tasks unless the body itself waits; awaiting it twice is a RuntimeError; wrapping it in a task runs it there.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const body = asyncio.coroutine(async function body(tag: string) {
  log('body', tag, 'starts in', asyncio.currentTask()!.name);
  await asyncio.sleep(0);
  log('body', tag, 'ends');
  return tag.toUpperCase();
});

const quick = asyncio.coroutine(async function quick() {
  log('quick: runs without yielding');
  return 'quick-result';
});

const other = asyncio.coroutine(async function other() {
  log('other task runs');
});

const main = asyncio.coroutine(async function main() {
  asyncio.currentTask()!.setName('main');
  const c = body('x');
  log('coroutine created, not started');
  await asyncio.sleep(0.01);
  log('still not started after a sleep');
  const r = await c;
  log('awaited ->', r);
  try {
    await c;
  } catch (e) {
    if (e instanceof asyncio.RuntimeError) log('second await:', e.name, e.message);
  }

  asyncio.createTask(other());
  const q = await quick();
  log('after quick:', q);
  await asyncio.sleep(0);
  log('after yielding once');

  const t = asyncio.createTask(body('y'), { name: 'wrapper' });
  log('task created around a coroutine');
  log('task result', await t);
});

void asyncio.run(main());
