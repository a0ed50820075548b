// 07 · Errors and cancellation: worker_2 fails, worker_3 is cancelled while it sleeps, and gather with
// returnExceptions hands back the errors as values. (Tutorial: "异常 + 超时限制".)
//
// Python prints [1, ZeroDivisionError('division by zero'), CancelledError()]. JavaScript's 2 / 0 is Infinity, not an
// error, so worker_2 throws a RangeError with Python's message; errors are printed as 'Name: message' (just the name
// when the message is empty), which gives [ 1, 'RangeError: division by zero', 'CancelledError' ].
import * as asyncio from 'coroutine-trace';

const worker1 = asyncio.coroutine(async function worker_1() {
  await asyncio.sleep(1);
  return 1;
});

const worker2 = asyncio.coroutine(async function worker_2(): Promise<number> {
  await asyncio.sleep(2);
  throw new RangeError('division by zero'); // return 2 / 0
});

const worker3 = asyncio.coroutine(async function worker_3() {
  await asyncio.sleep(3);
  return 3;
});

function show(value: unknown): unknown {
  return value instanceof Error ? (value.message ? `${value.name}: ${value.message}` : value.name) : value;
}

const main = asyncio.coroutine(async function main() {
  const task1 = asyncio.createTask(worker1(), { name: 'worker_1' });
  const task2 = asyncio.createTask(worker2(), { name: 'worker_2' });
  const task3 = asyncio.createTask(worker3(), { name: 'worker_3' });

  await asyncio.sleep(2);
  task3.cancel();

  const res = await asyncio.gather(task1, task2, task3, { returnExceptions: true });
  console.log(res.map(show));
});

asyncio.run(main());
