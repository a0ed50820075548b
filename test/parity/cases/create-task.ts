// createTask(): the new task first runs when its creator next yields to the loop, tasks start in creation order, and
// default names are Task-N (the main task being Task-1).
//
// Difference from Python: our main task is named 'main', not 'Task-1'; it still takes number 1, so the tasks it
// creates are Task-2, Task-3, ... as in CPython.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const child = asyncio.coroutine(async function child(n: number) {
  log('child', n, 'start in', asyncio.currentTask()!.name);
  await asyncio.sleep(0);
  log('child', n, 'step 2');
  return n * 10;
});

const main = asyncio.coroutine(async function main() {
  const t1 = asyncio.createTask(child(1));
  const t2 = asyncio.createTask(child(2));
  const t3 = asyncio.createTask(child(3), { name: 'third' });
  log('created', t1.name, t2.name, t3.name);
  log('still in main, nothing started');
  await asyncio.sleep(0);
  log('main after its first yield');
  const r = await t1;
  log('t1 result', r);
  log('t2 result', await t2, 't3 result', await t3);
});

void asyncio.run(main());
