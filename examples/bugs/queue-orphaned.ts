// Bug: the only consumer crashes after two items; the producer's remaining items are never taken.
import * as asyncio from 'coroutine-trace';

const consumer = asyncio.coroutine(async function consumer(queue: asyncio.Queue<number>) {
  for (let n = 0; ; n++) {
    const item = await queue.get();
    if (n === 1) throw new Error(`cannot handle item ${item}`);
  }
});

const main = asyncio.coroutine(async function main() {
  const queue = new asyncio.Queue<number>(0, { name: 'jobs' });
  const worker = asyncio.createTask(consumer(queue), { name: 'consumer' });
  for (let i = 1; i <= 5; i++) {
    await queue.put(i);
    await asyncio.sleep(0.01);
  }
  await asyncio.gather(worker, { returnExceptions: true });
  console.log(`left in the queue: ${queue.qsize()}`);
});

asyncio.run(main());
