# Condition: wait() releases the lock until notified, then takes it back; notify(n) wakes the first n waiters in FIFO
# order, and they run only once the notifier releases the lock; notify_all wakes the rest; wait_for re-checks its
# predicate after each notification; a waiter cancelled in wait() takes the lock back before its CancelledError goes
# on; waiting or notifying without the lock raises.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def waiter(cond, name):
    async with cond:
        log(name, 'waits')
        await cond.wait()
        log(name, 'woke holding the lock:', tf(cond.locked()))


async def main():
    cond = asyncio.Condition()
    ws = [asyncio.create_task(waiter(cond, n)) for n in ['w1', 'w2', 'w3', 'w4']]
    await asyncio.sleep(0)
    async with cond:
        log('main notifies 2')
        cond.notify(2)
        await asyncio.sleep(0)
        log('main still holds the lock after a yield')
    await asyncio.sleep(0.01)
    async with cond:
        log('main notifies all')
        cond.notify_all()
    await asyncio.gather(*ws)

    state = {'n': 0}

    async def until(k):
        async with cond:
            r = await cond.wait_for(lambda: state['n'] >= k and 'n=' + str(state['n']))
            log('wait_for', k, 'returned', r)

    ts = [asyncio.create_task(until(k)) for k in [2, 1, 3]]
    for _ in range(3):
        await asyncio.sleep(0.01)
        async with cond:
            state['n'] += 1
            log('n is now', state['n'])
            cond.notify_all()
    await asyncio.gather(*ts)

    async def cancelled_waiter():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                log('cancelled waiter: holds the lock again:', tf(cond.locked()))
                raise

    cw = asyncio.create_task(cancelled_waiter())
    await asyncio.sleep(0)
    async with cond:
        cw.cancel()
        await asyncio.sleep(0)
        log('main cancelled the waiter while holding the lock')
    await asyncio.gather(cw, return_exceptions=True)
    log('cancelled waiter cancelled():', tf(cw.cancelled()), '; locked', tf(cond.locked()))

    try:
        await cond.wait()
    except RuntimeError as e:
        log('wait without the lock:', type(e).__name__)
    try:
        cond.notify()
    except RuntimeError as e:
        log('notify without the lock:', type(e).__name__)


asyncio.run(main())
