// Looks like exception-never-retrieved.ts, but is correct: the failure is awaited and handled.
import * as asyncio from 'coroutine-trace';

const fetchPrices = asyncio.coroutine(async function fetchPrices() {
  await asyncio.sleep(0.05);
  throw new Error('price service unavailable');
});

const main = asyncio.coroutine(async function main() {
  const prices = asyncio.createTask(fetchPrices(), { name: 'prices' });
  await asyncio.sleep(0.2);
  try {
    await prices;
  } catch (err) {
    console.log(`handled: ${(err as Error).message}`);
  }
});

asyncio.run(main());
