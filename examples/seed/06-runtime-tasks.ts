// 06 · The same workers as tasks: both start as soon as main awaits task1, and sleep at the same time, so the run
// takes 2 s. (Tutorial: "协程运行时", second program, with its step-by-step explanation.)
import * as asyncio from 'coroutine-trace';

const worker1 = asyncio.coroutine(async function worker_1() {
  console.log('worker_1 start');
  await asyncio.sleep(1);
  console.log('worker_1 done');
});

const worker2 = asyncio.coroutine(async function worker_2() {
  console.log('worker_2 start');
  await asyncio.sleep(2);
  console.log('worker_2 done');
});

const main = asyncio.coroutine(async function main() {
  const task1 = asyncio.createTask(worker1(), { name: 'worker_1' });
  const task2 = asyncio.createTask(worker2(), { name: 'worker_2' });
  console.log('before await');
  await task1;
  console.log('awaited worker_1');
  await task2;
  console.log('awaited worker_2');
});

asyncio.run(main());
