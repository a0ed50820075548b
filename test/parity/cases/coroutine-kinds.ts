// The runner turns `coroutine(async ...)` literals into generators; other async code stays async. This program mixes
// every kind in one task tree and checks the order against CPython, where all of them are plain coroutines:
// a named coroutine that awaits itself recursively, one made from a function defined elsewhere (stays async), an
// arrow that uses `this` (stays async), a plain async helper awaiting a coroutine, a task created from the inner
// function's direct call, errors thrown before the first await, and cancellation through each kind.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

const depth = asyncio.coroutine(async function depth(n: number): Promise<number> {
  if (n === 0) {
    await asyncio.sleep(0);
    return 0;
  }
  log('depth', n);
  return 1 + (await depth(n - 1));
});

async function definedElsewhere(tag: string): Promise<string> {
  log(tag, 'start');
  await asyncio.sleep(0.01);
  log(tag, 'end');
  return tag;
}
const elsewhere = asyncio.coroutine(definedElsewhere);

const holder = {
  label: 'holder',
  run: asyncio.coroutine(async function (this: { label: string }) {
    await asyncio.sleep(0);
    return this.label;
  }),
};

async function plainHelper(): Promise<string> {
  // Not a coroutine: an ordinary async function that awaits one.
  const r = await elsewhere('via-helper');
  await asyncio.sleep(0);
  return `helper(${r})`;
}

const failsAtOnce = asyncio.coroutine(async function failsAtOnce() {
  throw new RangeError('before any await');
});

const sleeper = asyncio.coroutine(async function sleeper(name: string) {
  try {
    await asyncio.sleep(1);
    log(name, 'woke (wrong)');
  } finally {
    log(name, 'finally');
  }
});

const main = asyncio.coroutine(async function main() {
  log('depth result', await depth(3));
  log('elsewhere result', await elsewhere('direct'));
  log('holder result', await holder.run.call(holder));
  log('helper result', await plainHelper());
  try {
    await failsAtOnce();
  } catch (e) {
    log('caught', (e as Error).name, (e as Error).message);
  }
  const t1 = asyncio.createTask(sleeper('gen'), { name: 'gen' });
  const t2 = asyncio.createTask(() => definedElsewhere('thunk'), { name: 'thunk' });
  const t3 = asyncio.createTask(elsewhere('async'), { name: 'async' });
  await asyncio.sleep(0);
  t1.cancel();
  t2.cancel();
  t3.cancel();
  const rs = await asyncio.gather(t1, t2, t3, { returnExceptions: true });
  log('gathered', rs.map((r) => (r instanceof asyncio.CancelledError ? 'CancelledError' : String(r))).join(','));
  const [a, b] = await asyncio.gather(depth(2), elsewhere('in-gather'));
  log('gather results', a, b);
});

void asyncio.run(main());
