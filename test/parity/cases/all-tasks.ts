// allTasks(): every task of the loop that is not done, the main task included, and tasks created but not started;
// finished tasks drop out.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));
const names = (): string => '[' + [...asyncio.allTasks()].map((t) => t.name).sort().join(', ') + ']';

const child = asyncio.coroutine(async function child(d: number) {
  await asyncio.sleep(d);
});

const main = asyncio.coroutine(async function main() {
  asyncio.currentTask()!.setName('main');
  log('alone:', names());
  const a = asyncio.createTask(child(0.01), { name: 'a' });
  const b = asyncio.createTask(child(0.02), { name: 'b' });
  log('created, not started:', names());
  await asyncio.sleep(0);
  log('started:', names());
  await a;
  log('a finished:', names());
  b.cancel();
  await asyncio.sleep(0);
  log('b cancelled:', names());
});

void asyncio.run(main());
