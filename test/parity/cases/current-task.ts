// currentTask(): the task running now, also inside a coroutine it awaits; none inside a done callback (callbacks run
// from the loop, outside any task).
//
// Difference from Python: currentTask() gives null where Python gives None.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

function cur(): string {
  const t = asyncio.currentTask();
  return t === null ? 'none' : t.name;
}

const helper = asyncio.coroutine(async function helper(tag: string) {
  log(tag, 'helper runs in', cur());
  await asyncio.sleep(0);
  log(tag, 'helper still in', cur());
});

const child = asyncio.coroutine(async function child(tag: string) {
  log(tag, 'runs in', cur());
  await helper(tag);
});

const main = asyncio.coroutine(async function main() {
  const me = asyncio.currentTask()!;
  me.setName('main');
  log('main runs in', cur());
  const t1 = asyncio.createTask(child('c1'));
  const t2 = asyncio.createTask(child('c2'), { name: 'named' });
  t1.addDoneCallback(() => log('done callback runs in', cur()));
  await helper('main');
  await asyncio.gather(t1, t2);
  log('main still', cur(), '; same object as at the start:', asyncio.currentTask() === me ? 'true' : 'false');
});

void asyncio.run(main());
