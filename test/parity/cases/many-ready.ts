// Thousands of ready tasks and callbacks at once, in waves (the ready queue grows and wraps around while tasks keep
// joining it): each runs in the order it became ready. A checksum of the order is printed, and its first and last steps.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map((x) => (Array.isArray(x) ? `[${x.join(', ')}]` : String(x))).join(' '));

const order: number[] = [];

const worker = asyncio.coroutine(async function worker(i: number, steps: number) {
  for (let s = 0; s < steps; s++) {
    order.push(i * 100 + s);
    await asyncio.sleep(0);
  }
});

const main = asyncio.coroutine(async function main() {
  const loop = asyncio.getRunningLoop();
  const waves = [1500, 3000, 700];
  for (let wave = 0; wave < waves.length; wave++) {
    const n = waves[wave];
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(asyncio.createTask(worker(wave * 10000 + i, 1 + (i % 4))));
    for (let i = 0; i < n; i += 7) loop.callSoon((v: number) => order.push(v), -(wave * 10000 + i));
    await asyncio.sleep(0);
    await asyncio.gather(...tasks);
  }
  let digest = 0;
  // As Python's %, which is never negative.
  for (let k = 0; k < order.length; k++) {
    digest = (((digest * 31 + order[k] * ((k % 97) + 1)) % 1000000007) + 1000000007) % 1000000007;
  }
  log('steps', order.length, 'digest', digest);
  log('first', order.slice(0, 6));
  log('last', order.slice(-6));
});

void asyncio.run(main());
