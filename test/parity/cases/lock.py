# Lock: FIFO fairness: waiters acquire in the order they asked; a task that asks again right after releasing does
# not barge ahead of the waiters even though the lock is momentarily free; a cancelled waiter is skipped, and a
# waiter cancelled after it was woken (before it ran) passes the lock on; releasing an unlocked lock raises.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def user(lock, name, hold):
    log(name, 'wants the lock')
    try:
        async with lock:
            log(name, 'holds the lock')
            await asyncio.sleep(hold)
            log(name, 'releases')
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise


async def main():
    lock = asyncio.Lock()
    log('locked', tf(lock.locked()))
    await lock.acquire()
    log('main holds the lock; locked', tf(lock.locked()))
    ts = [asyncio.create_task(user(lock, n, 0.01)) for n in ['a', 'b', 'c', 'd']]
    await asyncio.sleep(0)
    log('main cancels c while it waits')
    ts[2].cancel()
    await asyncio.sleep(0)
    lock.release()
    log('main released; locked', tf(lock.locked()), '; main asks again at once')
    await lock.acquire()
    log('main holds the lock again')
    lock.release()
    await asyncio.gather(*ts, return_exceptions=True)

    await lock.acquire()
    ts = [asyncio.create_task(user(lock, n, 0.01)) for n in ['x', 'y']]
    await asyncio.sleep(0)
    lock.release()
    ts[0].cancel()
    log('main released, then cancelled x before it could run')
    await asyncio.gather(*ts, return_exceptions=True)
    log('locked', tf(lock.locked()))
    try:
        lock.release()
    except RuntimeError as e:
        log('release of an unlocked lock:', type(e).__name__)


asyncio.run(main())
