// Looks like swallowed-cancellation.ts, but is correct: the worker cleans up and re-throws the cancellation.
import * as asyncio from 'coroutine-trace';

const worker = asyncio.coroutine(async function worker() {
  try {
    await asyncio.sleep(10);
  } catch (err) {
    console.log(`worker cleans up after ${(err as Error).name}`);
    await asyncio.sleep(0.01);
    throw err;
  }
});

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(worker(), { name: 'worker' });
  await asyncio.sleep(0.1);
  task.cancel();
  const [result] = await asyncio.gather(task, { returnExceptions: true });
  console.log((result as Error).name);
});

asyncio.run(main());
