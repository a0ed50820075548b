// W2: 4 producers and 4 consumers pass 300,000 items through a Queue(100). Prints the elapsed and CPU milliseconds.
import * as asyncio from 'coroutine-trace';
import { measure } from './measure';

const ITEMS = 300_000;
const PRODUCERS = 4;
const CONSUMERS = 4;

const producer = asyncio.coroutine(async function producer(q: asyncio.Queue<number>, n: number) {
  for (let i = 0; i < n; i++) await q.put(i);
});

const consumer = asyncio.coroutine(async function consumer(q: asyncio.Queue<number>) {
  for (;;) {
    await q.get();
    q.taskDone();
  }
});

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.Queue<number>(100);
  const consumers = Array.from({ length: CONSUMERS }, () => asyncio.createTask(consumer(q)));
  await asyncio.gather(...Array.from({ length: PRODUCERS }, () => producer(q, ITEMS / PRODUCERS)));
  await q.join();
  for (const c of consumers) c.cancel();
  await asyncio.gather(...consumers, { returnExceptions: true });
});

measure(() => asyncio.run(main()));
