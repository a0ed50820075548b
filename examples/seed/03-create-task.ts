// 03 · Concurrency with createTask: all four pages are crawled at once, so the run takes 4 s, not 10.
// Each task first runs when main next yields to the loop (at its first await). (Tutorial: "并发", create_task.)
import * as asyncio from 'coroutine-trace';

const crawlPage = asyncio.coroutine(async function crawlPage(url: string) {
  console.log(`crawling ${url}`);
  const sleepTime = Number(url.split('_').at(-1));
  await asyncio.sleep(sleepTime);
  console.log(`OK ${url}`);
});

const main = asyncio.coroutine(async function main(urls: string[]) {
  const tasks = urls.map((url) => asyncio.createTask(crawlPage(url)));
  for (const task of tasks) {
    await task; // wait for every task to complete
  }
});

asyncio.run(main(['url_1', 'url_2', 'url_3', 'url_4']));
