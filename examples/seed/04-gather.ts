// 04 · The same with gather: one await for all four tasks. (Tutorial: "并发", asyncio.gather.)
import * as asyncio from 'coroutine-trace';

const crawlPage = asyncio.coroutine(async (url: string) => {
  console.log(`crawling ${url}`);
  await asyncio.sleep(Number(url.split('_').at(-1)));
  console.log(`OK ${url}`);
});

const main = asyncio.coroutine(async (urls: string[]) => {
  const tasks = urls.map((url) => asyncio.createTask(crawlPage(url)));
  await asyncio.gather(...tasks);
});

asyncio.run(main(['url_1', 'url_2', 'url_3', 'url_4']));
