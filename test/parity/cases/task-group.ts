// taskGroup() success: the body runs to its end first, then the group waits for every child; children created by
// other children through the group are waited for too; the group's value comes after the last child.
//
// Difference from Python: `async with asyncio.TaskGroup() as tg:` is `await asyncio.taskGroup(async (tg) => ...)`.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

// Inside `async function childBody`, its own name means the raw async function; the child it spawns must be made
// through the coroutine wrapper `child`, or it would be an already-started promise.
const child: (name: string, d: number, tg?: asyncio.TaskGroup) => asyncio.Coroutine<string> = asyncio.coroutine(
  async function childBody(name: string, d: number, tg?: asyncio.TaskGroup): Promise<string> {
    log(name, 'start');
    await asyncio.sleep(d);
    if (tg !== undefined) {
      log(name, 'spawns', name + '2');
      tg.createTask(child(name + '2', 0.02));
    }
    log(name, 'done');
    return name;
  },
);

const main = asyncio.coroutine(async function main() {
  let a!: asyncio.Task<string>;
  let b!: asyncio.Task<string>;
  await asyncio.taskGroup(async (tg) => {
    a = tg.createTask(child('a', 0.03));
    b = tg.createTask(child('b', 0.01, tg));
    log('body: created a and b');
    await asyncio.sleep(0);
    log('body: ends');
  });
  log('group done:', a.result(), b.result());
});

void asyncio.run(main());
