# PriorityQueue: the smallest item first, tuples compared element by element; waiting getters are served in order.
import asyncio


def log(*a):
    print(*a, flush=True)


async def getter(q, name):
    item = await q.get()
    log(name, 'got', item[0], item[1])


async def main():
    q = asyncio.PriorityQueue()
    for item in [(3, 'c'), (1, 'z'), (2, 'b'), (1, 'a'), (5, 'e')]:
        q.put_nowait(item)
    out = []
    while not q.empty():
        p, v = q.get_nowait()
        out.append(str(p) + v)
    log('order:', ' '.join(out))
    n = asyncio.PriorityQueue()
    for v in [4, 1, 3]:
        n.put_nowait(v)
    log('numbers:', n.get_nowait(), n.get_nowait(), n.get_nowait())

    gs = [asyncio.create_task(getter(q, name)) for name in ['g1', 'g2', 'g3']]
    await asyncio.sleep(0)
    q.put_nowait((9, 'late'))
    q.put_nowait((0, 'urgent'))
    log('put two, qsize', q.qsize())
    await asyncio.sleep(0)
    q.put_nowait((5, 'last'))
    await asyncio.gather(*gs)


asyncio.run(main())
