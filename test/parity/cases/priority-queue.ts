// PriorityQueue: the smallest item first, tuples compared element by element; waiting getters are served in order.
//
// Difference from Python: tuples are arrays, compared element by element as Python compares tuples.
import * as asyncio from 'coroutine-trace';

const log = (...a: unknown[]): void => console.log(a.map(String).join(' '));

type Item = [number, string];

const getter = asyncio.coroutine(async function getter(q: asyncio.PriorityQueue<Item>, name: string) {
  const item = await q.get();
  log(name, 'got', item[0], item[1]);
});

const main = asyncio.coroutine(async function main() {
  const q = new asyncio.PriorityQueue<Item>();
  const items: Item[] = [[3, 'c'], [1, 'z'], [2, 'b'], [1, 'a'], [5, 'e']];
  for (const item of items) q.putNowait(item);
  const out: string[] = [];
  while (!q.empty()) {
    const [p, v] = q.getNowait();
    out.push(String(p) + v);
  }
  log('order:', out.join(' '));
  const n = new asyncio.PriorityQueue<number>();
  for (const v of [4, 1, 3]) n.putNowait(v);
  log('numbers:', n.getNowait(), n.getNowait(), n.getNowait());

  const gs = ['g1', 'g2', 'g3'].map((name) => asyncio.createTask(getter(q, name)));
  await asyncio.sleep(0);
  q.putNowait([9, 'late']);
  q.putNowait([0, 'urgent']);
  log('put two, qsize', q.qsize());
  await asyncio.sleep(0);
  q.putNowait([5, 'last']);
  await asyncio.gather(...gs);
});

void asyncio.run(main());
