// Bug: a coroutine is called but never awaited, so its body never runs (the notification is never sent).
import * as asyncio from 'coroutine-trace';

const notify = asyncio.coroutine(async function notify(user: string) {
  await asyncio.sleep(0.1);
  console.log(`notified ${user}`);
});

const main = asyncio.coroutine(async function main() {
  notify('ada'); // missing await
  await asyncio.sleep(0.2);
  console.log('main done');
});

asyncio.run(main());
