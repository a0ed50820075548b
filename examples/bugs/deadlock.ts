// Bug: two tasks take the same two locks in opposite orders; each ends up waiting for the lock the other holds.
import * as asyncio from 'coroutine-trace';

const transfer = asyncio.coroutine(async function transfer(first: asyncio.Lock, second: asyncio.Lock) {
  await first.acquire();
  try {
    await asyncio.sleep(0.01); // long enough for the other task to take its first lock
    await second.acquire();
    second.release();
  } finally {
    first.release();
  }
});

const main = asyncio.coroutine(async function main() {
  const accounts = new asyncio.Lock({ name: 'accounts' });
  const ledger = new asyncio.Lock({ name: 'ledger' });
  const a = asyncio.createTask(transfer(accounts, ledger), { name: 'a-to-b' });
  const b = asyncio.createTask(transfer(ledger, accounts), { name: 'b-to-a' });
  await asyncio.gather(a, b);
});

asyncio.run(main());
