// Bug: a task does 400 ms of blocking work without awaiting; the heartbeat task cannot run meanwhile.
import * as asyncio from 'coroutine-trace';

/** Busy for `ms` ms of processor time, and at least as long on the clock: work, even when other programs share the CPU. */
function crunch(ms: number): void {
  const end = Date.now() + ms;
  const cpuEnd = cpuMs() + ms;
  while (Date.now() < end || cpuMs() < cpuEnd) {
    // busy: nothing else on the loop can run
  }
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const heartbeat = asyncio.coroutine(async function heartbeat() {
  for (let i = 0; i < 5; i++) await asyncio.sleep(0.05);
});

const cruncher = asyncio.coroutine(async function cruncher() {
  await asyncio.sleep(0.01);
  crunch(400);
  await asyncio.sleep(0);
});

const main = asyncio.coroutine(async function main() {
  await asyncio.gather(heartbeat(), cruncher());
});

asyncio.run(main());
