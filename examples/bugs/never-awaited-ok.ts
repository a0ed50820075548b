// Looks like never-awaited.ts, but is correct: the coroutine is awaited, and another runs as a task.
import * as asyncio from 'coroutine-trace';

const notify = asyncio.coroutine(async function notify(user: string) {
  await asyncio.sleep(0.1);
  console.log(`notified ${user}`);
});

const main = asyncio.coroutine(async function main() {
  await notify('ada');
  const background = asyncio.createTask(notify('grace'));
  console.log('main done');
  await background;
});

asyncio.run(main());
