// Tasks that become ready together run in the order they became ready: waiters of one future wake in the order they
// started waiting; futures completed one after the other wake their waiters in that order; a task created between two
// wake-ups takes its place between them.
//
// Difference from Python: `new asyncio.Future()` stands for `loop.create_future()`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const waiter = asyncio.coroutine(async function waiter(name: string, fut: asyncio.Future<unknown>) {
  log(name, 'waits');
  const v = await fut;
  log(name, 'woke with', v);
});

const newcomer = asyncio.coroutine(async function newcomer() {
  log('newcomer runs');
});

const main = asyncio.coroutine(async function main() {
  const f = new asyncio.Future<string>();
  // Created c, a, b: they start, and so wait, in that order.
  for (const n of ['c', 'a', 'b']) asyncio.createTask(waiter(n, f));
  await asyncio.sleep(0);
  log('main: set f');
  f.setResult('f');
  await asyncio.sleep(0);
  log('main: after one yield');

  const f1 = new asyncio.Future<number>();
  const f2 = new asyncio.Future<number>();
  const f3 = new asyncio.Future<number>();
  asyncio.createTask(waiter('w1', f1));
  asyncio.createTask(waiter('w2', f2));
  asyncio.createTask(waiter('w3', f3));
  await asyncio.sleep(0);
  log('main: set f3, create newcomer, set f1, set f2');
  f3.setResult(3);
  asyncio.createTask(newcomer());
  f1.setResult(1);
  f2.setResult(2);
  log('main: yields');
  await asyncio.sleep(0);
  log('main: back');
});

void asyncio.run(main());
