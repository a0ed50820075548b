// sleep(0) is a bare yield: the task goes to the back of the ready queue, so tasks take turns round-robin, in the
// order they became ready, with main in its place in the rotation.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const spinner = asyncio.coroutine(async function spinner(name: string, n: number) {
  for (let i = 0; i < n; i++) {
    log(name, i);
    await asyncio.sleep(0);
  }
  log(name, 'done');
});

const main = asyncio.coroutine(async function main() {
  const specs: [string, number][] = [['A', 3], ['B', 1], ['C', 4]];
  const tasks = specs.map(([name, n]) => asyncio.createTask(spinner(name, n)));
  for (let i = 0; i < 3; i++) {
    log('main', i);
    await asyncio.sleep(0);
  }
  await asyncio.gather(...tasks);
  log('main done');
});

void asyncio.run(main());
