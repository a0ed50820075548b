// 05 · Awaiting coroutines directly: worker_1 and worker_2 run inside the main task, one after the other (3 s).
// (Tutorial: "协程运行时", first program.)
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
  console.log('before await');
  await worker1();
  console.log('awaited worker_1');
  await worker2();
  console.log('awaited worker_2');
});

asyncio.run(main());
