// Bug: the waiter polls a flag with sleep(0) instead of waiting for an Event: it spins thousands of times.
import * as asyncio from 'coroutine-trace';

let ready = false;

const waiter = asyncio.coroutine(async function waiter() {
  while (!ready) await asyncio.sleep(0);
  console.log('ready at last');
});

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(waiter(), { name: 'poller' });
  await asyncio.sleep(0.2);
  ready = true;
  await task;
});

asyncio.run(main());
