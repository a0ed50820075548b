# Semaphore: at most `value` holders; waiters acquire in FIFO order as holders release; locked() while none is left;
# a waiter woken by release() but cancelled before it ran passes the slot on.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def worker(sem, name, hold):
    log(name, 'wants a slot')
    async with sem:
        log(name, 'got a slot')
        await asyncio.sleep(hold)
        log(name, 'gives it back')


async def main():
    sem = asyncio.Semaphore(2)
    ts = [asyncio.create_task(worker(sem, n, h)) for n, h in
          [('a', 0.05), ('b', 0.02), ('c', 0.02), ('d', 0.02), ('e', 0.02)]]
    await asyncio.sleep(0)
    log('locked', tf(sem.locked()))
    await asyncio.gather(*ts)
    log('locked', tf(sem.locked()))
    sem.release()
    log('released once more: two slots free and one extra; locked', tf(sem.locked()))
    for _ in range(3):
        await sem.acquire()
    log('acquired three; locked', tf(sem.locked()))
    ws = [asyncio.create_task(worker(sem, n, 0.01)) for n in ['x', 'y']]
    await asyncio.sleep(0)
    sem.release()
    ws[0].cancel()
    log('released one slot, then cancelled x before it ran')
    await asyncio.gather(*ws, return_exceptions=True)
    log('x cancelled():', tf(ws[0].cancelled()), '; locked', tf(sem.locked()))


asyncio.run(main())
