// 02 · async/await used synchronously: each coroutine is awaited before the next one is created, so the pages are
// still crawled one after another (10 s in all). Calling crawlPage() only makes a coroutine object; nothing runs
// until it is awaited. (Tutorial: the second program of "同步".)
import * as asyncio from 'coroutine-trace';

const crawlPage = asyncio.coroutine(async function crawlPage(url: string) {
  console.log(`crawling ${url}`);
  const sleepTime = Number(url.split('_').at(-1));
  await asyncio.sleep(sleepTime);
  console.log(`OK ${url}`);
});

const main = asyncio.coroutine(async function main(urls: string[]) {
  for (const url of urls) {
    const c = crawlPage(url);
    console.log(String(c)); // <coroutine object crawlPage>: not started yet
    await c; // runs it, inside the main task
  }
});

asyncio.run(main(['url_1', 'url_2', 'url_3', 'url_4']));
