// 01 · Synchronous crawling: no event loop, no coroutines. Each page blocks the whole program while it "downloads",
// so four pages take 1 + 2 + 3 + 4 = 10 seconds. (Tutorial: the first program of "同步".)
// There is nothing for Coroutine Trace to record here but the output: compare with 04-gather.ts.
// SEED_TIME_SCALE scales the sleeps (the tests run it at 1/100 speed); blocking code has no virtual clock.

const scale = Number(process.env.SEED_TIME_SCALE ?? '1');

/** A blocking sleep, like Python's time.sleep: nothing else can run meanwhile. */
function blockingSleep(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000 * scale);
}

function crawlPage(url: string): void {
  console.log(`crawling ${url}`);
  const sleepTime = Number(url.split('_').at(-1));
  blockingSleep(sleepTime);
  console.log(`OK ${url}`);
}

function main(urls: string[]): void {
  for (const url of urls) {
    crawlPage(url);
  }
}

main(['url_1', 'url_2', 'url_3', 'url_4']);
