# Cancelling waiters of a Queue: a getter woken by a put but cancelled before it ran passes the item on to the next
# getter (nothing is lost); a putter cancelled while blocked does not put its item; the other waiters keep their
# FIFO order.
import asyncio


def log(*a):
    print(*a, flush=True)


async def getter(q, name):
    try:
        log(name, 'got', await q.get())
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise


async def putter(q, name, item):
    try:
        await q.put(item)
        log(name, 'put', item)
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise


async def main():
    q = asyncio.Queue()
    gs = [asyncio.create_task(getter(q, n)) for n in ['g1', 'g2', 'g3']]
    await asyncio.sleep(0)
    q.put_nowait('item-1')
    gs[0].cancel()
    log('put one item, cancelled g1 before it ran')
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log('qsize', q.qsize())
    q.put_nowait('item-2')
    await asyncio.gather(*gs, return_exceptions=True)

    b = asyncio.Queue(maxsize=1)
    b.put_nowait('first')
    ps = [asyncio.create_task(putter(b, n, n + '-item')) for n in ['p1', 'p2', 'p3']]
    await asyncio.sleep(0)
    ps[1].cancel()
    await asyncio.sleep(0)
    items = []
    for _ in range(3):
        items.append(await b.get())
    log('got', ' '.join(items), 'qsize', b.qsize())
    await asyncio.gather(*ps, return_exceptions=True)


asyncio.run(main())
