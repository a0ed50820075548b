// Bug: a background task fails and nobody ever looks at its error.
import * as asyncio from 'coroutine-trace';

const fetchPrices = asyncio.coroutine(async function fetchPrices() {
  await asyncio.sleep(0.05);
  throw new Error('price service unavailable');
});

const main = asyncio.coroutine(async function main() {
  asyncio.createTask(fetchPrices(), { name: 'prices' });
  await asyncio.sleep(0.2);
  console.log('main done');
});

asyncio.run(main());
