// 08 · Producers and consumers through a Queue (like a Go channel): two producers put five random values each, one
// per second; two consumers take them and work 1 s on each. After 10 s main cancels the consumers (they loop
// forever) and gathers everyone. (Tutorial: "生产者消费者".)
import * as asyncio from 'coroutine-trace';

function randint(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low + 1));
}

const consumer = asyncio.coroutine(async function consumer(queue: asyncio.Queue<number>, identity: string) {
  while (true) {
    const val = await queue.get();
    console.log(`${identity} get a val: ${val}`);
    await asyncio.sleep(1);
  }
});

const producer = asyncio.coroutine(async function producer(queue: asyncio.Queue<number>, identity: string) {
  for (let i = 0; i < 5; i++) {
    const val = randint(1, 10);
    await queue.put(val);
    console.log(`${identity} put a val: ${val}`);
    await asyncio.sleep(1);
  }
});

const main = asyncio.coroutine(async function main() {
  const queue = new asyncio.Queue<number>();

  const consumer1 = asyncio.createTask(consumer(queue, 'consumer_1'), { name: 'consumer_1' });
  const consumer2 = asyncio.createTask(consumer(queue, 'consumer_2'), { name: 'consumer_2' });

  const producer1 = asyncio.createTask(producer(queue, 'producer_1'), { name: 'producer_1' });
  const producer2 = asyncio.createTask(producer(queue, 'producer_2'), { name: 'producer_2' });

  await asyncio.sleep(10);
  consumer1.cancel();
  consumer2.cancel();

  await asyncio.gather(consumer1, consumer2, producer1, producer2, { returnExceptions: true });
});

asyncio.run(main());
