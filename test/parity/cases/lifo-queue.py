# LifoQueue: the most recently added item first; a bounded one blocks put() like Queue.
import asyncio


def log(*a):
    print(*a, flush=True)


async def main():
    q = asyncio.LifoQueue()
    for v in ['a', 'b', 'c']:
        q.put_nowait(v)
    log('order:', q.get_nowait(), q.get_nowait(), q.get_nowait())

    b = asyncio.LifoQueue(maxsize=2)

    async def producer():
        for v in ['x', 'y', 'z']:
            await b.put(v)
            log('put', v)

    p = asyncio.create_task(producer())
    await asyncio.sleep(0.01)
    log('qsize while producer blocked', b.qsize())
    log('get', await b.get())
    await asyncio.sleep(0)
    log('get', await b.get())
    log('get', await b.get())
    await p


asyncio.run(main())
