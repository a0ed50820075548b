// Bug: main returns while a task it started is still running; asyncio.run cancels it, so the report is never saved.
import * as asyncio from 'coroutine-trace';

const saveReport = asyncio.coroutine(async function saveReport() {
  await asyncio.sleep(1);
  console.log('report saved');
});

const main = asyncio.coroutine(async function main() {
  asyncio.createTask(saveReport(), { name: 'save-report' });
  await asyncio.sleep(0.1);
  console.log('main done');
});

asyncio.run(main());
