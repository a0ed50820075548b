# Queue: FIFO; with maxsize, put() blocks while the queue is full and blocked putters go on in FIFO order as getters
# make room; getters blocked on an empty queue are served in FIFO order; getNowait/putNowait raise
# QueueEmpty/QueueFull; qsize/empty/full.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def producer(q, name, items):
    for it in items:
        log(name, 'puts', it)
        await q.put(it)
        log(name, 'put done', it, 'qsize', q.qsize())


async def consumer(q, name, n):
    for _ in range(n):
        it = await q.get()
        log(name, 'got', it)
        await asyncio.sleep(0.01)


async def getter(q, name):
    log(name, 'waits')
    log(name, 'got', await q.get())


async def main():
    q = asyncio.Queue()
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        log('get_nowait on empty:', type(e).__name__)
    for i in range(3):
        q.put_nowait(i)
    log('qsize', q.qsize(), 'empty', tf(q.empty()), 'full', tf(q.full()))
    log('fifo:', q.get_nowait(), q.get_nowait(), q.get_nowait())

    b = asyncio.Queue(maxsize=2)
    b.put_nowait('x')
    b.put_nowait('y')
    log('full', tf(b.full()))
    try:
        b.put_nowait('z')
    except asyncio.QueueFull as e:
        log('put_nowait on full:', type(e).__name__)
    b.get_nowait()
    b.get_nowait()

    p1 = asyncio.create_task(producer(b, 'p1', ['a1', 'a2', 'a3']))
    p2 = asyncio.create_task(producer(b, 'p2', ['b1', 'b2']))
    await asyncio.sleep(0.005)
    c = asyncio.create_task(consumer(b, 'c', 5))
    await asyncio.gather(p1, p2, c)

    e = asyncio.Queue()
    gs = [asyncio.create_task(getter(e, n)) for n in ['g1', 'g2', 'g3']]
    await asyncio.sleep(0)
    for v in ['v1', 'v2', 'v3']:
        e.put_nowait(v)
    log('main put three')
    await asyncio.gather(*gs)


asyncio.run(main())
