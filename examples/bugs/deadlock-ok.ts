// Looks like deadlock.ts, but is correct: both tasks take the locks in the same order.
import * as asyncio from 'coroutine-trace';

const transfer = asyncio.coroutine(async function transfer(first: asyncio.Lock, second: asyncio.Lock) {
  await first.acquire();
  try {
    await asyncio.sleep(0.01);
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
  const b = asyncio.createTask(transfer(accounts, ledger), { name: 'b-to-a' });
  await asyncio.gather(a, b);
  console.log('both transfers done');
});

asyncio.run(main());
