// Bug: the worker catches everything, including the CancelledError that cancel() raised in it, and carries on.
import * as asyncio from 'coroutine-trace';

const worker = asyncio.coroutine(async function worker() {
  try {
    await asyncio.sleep(10);
  } catch (err) {
    console.log(`worker caught ${(err as Error).name} and carries on`);
  }
  return 'finished anyway';
});

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(worker(), { name: 'worker' });
  await asyncio.sleep(0.1);
  task.cancel();
  console.log(await task);
});

asyncio.run(main());
