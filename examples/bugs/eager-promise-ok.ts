// Looks like eager-promise.ts, but is correct: a thunk lets the task start the function itself.
import * as asyncio from 'coroutine-trace';

async function download(url: string): Promise<string> {
  console.log(`downloading ${url}`);
  await asyncio.sleep(0.1);
  return `${url}: 200`;
}

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(() => download('https://example.org'));
  console.log(await task);
});

asyncio.run(main());
