// Bug: the task is made from an already-running promise (a plain async function called directly), so its first
// part ran before the task existed and is attributed to main.
import * as asyncio from 'coroutine-trace';

async function download(url: string): Promise<string> {
  console.log(`downloading ${url}`); // runs at once, inside main
  await asyncio.sleep(0.1);
  return `${url}: 200`;
}

const main = asyncio.coroutine(async function main() {
  const task = asyncio.createTask(download('https://example.org'));
  console.log(await task);
});

asyncio.run(main());
