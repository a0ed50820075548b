// Looks like blocked-loop.ts, but is correct: the same work in 10 ms slices, yielding between them.
import * as asyncio from 'coroutine-trace';

function crunch(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy, but only briefly
  }
}

const heartbeat = asyncio.coroutine(async function heartbeat() {
  for (let i = 0; i < 5; i++) await asyncio.sleep(0.05);
});

const cruncher = asyncio.coroutine(async function cruncher() {
  await asyncio.sleep(0.01);
  for (let i = 0; i < 30; i++) {
    crunch(10);
    await asyncio.sleep(0);
  }
});

const main = asyncio.coroutine(async function main() {
  await asyncio.gather(heartbeat(), cruncher());
});

asyncio.run(main());
