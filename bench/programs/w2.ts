// W2: 4 producers and 4 consumers pass 300,000 items through a Queue(100). Prints the elapsed and CPU milliseconds.
import * as fs from 'node:fs';
import * as asyncio from 'coroutine-trace';

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

/** CPU time of this (the main) thread in ms: Linux's schedstat, in ns; elsewhere the process's user + system time. */
function threadCpuMs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

const cpu0 = threadCpuMs();
const t0 = performance.now();
asyncio.run(main()).then(() => {
  const elapsed = performance.now() - t0;
  console.log(`elapsed_ms=${elapsed.toFixed(1)} cpu_ms=${(threadCpuMs() - cpu0).toFixed(1)}`);
});
