// Looks like pending-at-exit.ts, but is correct: main waits for the task before it returns.
import * as asyncio from 'coroutine-trace';

const saveReport = asyncio.coroutine(async function saveReport() {
  await asyncio.sleep(1);
  console.log('report saved');
});

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(saveReport(), { name: 'save-report' });
  await asyncio.sleep(0.1);
  await task;
  console.log('main done');
});

asyncio.run(main());
