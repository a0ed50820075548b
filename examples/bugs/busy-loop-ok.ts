// Looks like busy-loop.ts, but is correct: the waiter waits for an Event.
import * as asyncio from 'coroutine-trace';

const main = asyncio.coroutine(async function main() {
  const ready = new asyncio.Event({ name: 'ready' });
  const waiter = asyncio.createTask(
    asyncio.coroutine(async () => {
      await ready.wait();
      console.log('ready at last');
    })(),
    { name: 'waiter' },
  );
  await asyncio.sleep(0.05);
  ready.set();
  await waiter;
});

asyncio.run(main());
