# BoundedSemaphore: behaves as a semaphore, and releasing more than was acquired raises (Python: ValueError; ours: a
# RangeError; both sides print the fixed word "over-release").
import asyncio


def log(*a):
    print(*a, flush=True)


async def worker(sem, name, hold):
    async with sem:
        log(name, 'in')
        await asyncio.sleep(hold)
        log(name, 'out')


async def main():
    sem = asyncio.BoundedSemaphore(2)
    await asyncio.gather(*(worker(sem, n, h) for n, h in [('a', 0.01), ('b', 0.03), ('c', 0.01)]))
    try:
        sem.release()
        log('released (wrong)')
    except ValueError:
        log('over-release')
    await sem.acquire()
    sem.release()
    log('acquire then release is fine')
    try:
        sem.release()
    except ValueError:
        log('over-release')


asyncio.run(main())
