// W1: 100,000 tasks that each sleep(0) ten times, joined by gather. Prints the elapsed and CPU milliseconds of run().
import * as fs from 'node:fs';
import * as asyncio from 'coroutine-trace';

const TASKS = 100_000;
const YIELDS = 10;

const worker = asyncio.coroutine(async function worker() {
  for (let i = 0; i < YIELDS; i++) await asyncio.sleep(0);
});

const main = asyncio.coroutine(async function main() {
  const tasks = [];
  for (let i = 0; i < TASKS; i++) tasks.push(asyncio.createTask(worker()));
  await asyncio.gather(...tasks);
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
