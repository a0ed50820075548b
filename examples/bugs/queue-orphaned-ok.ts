// Looks like queue-orphaned.ts, but is correct: the consumer takes every item, then main stops it.
import * as asyncio from 'coroutine-trace';

const consumer = asyncio.coroutine(async function consumer(queue: asyncio.Queue<number>) {
  for (;;) {
    await queue.get();
    queue.taskDone();
  }
});

const main = asyncio.coroutine(async function main() {
  const queue = new asyncio.Queue<number>(0, { name: 'jobs' });
  const worker = asyncio.createTask(consumer(queue), { name: 'consumer' });
  for (let i = 1; i <= 5; i++) {
    await queue.put(i);
    await asyncio.sleep(0.01);
  }
  await queue.join();
  worker.cancel();
  await asyncio.gather(worker, { returnExceptions: true });
  console.log(`left in the queue: ${queue.qsize()}`);
});

asyncio.run(main());
