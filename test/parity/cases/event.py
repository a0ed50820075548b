# Event: wait() blocks until set(); set() wakes every waiter, in the order they started waiting; wait() on a set
# event returns at once without yielding; clear() makes wait() block again.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def waiter(ev, name):
    log(name, 'waits')
    r = await ev.wait()
    log(name, 'woke, wait() returned', tf(r))


async def other():
    log('other task runs')


async def main():
    ev = asyncio.Event()
    log('is_set', tf(ev.is_set()))
    for n in ['w3', 'w1', 'w2']:
        asyncio.create_task(waiter(ev, n))
    await asyncio.sleep(0.01)
    log('main sets the event')
    ev.set()
    ev.set()
    log('is_set', tf(ev.is_set()))
    await asyncio.sleep(0)
    log('main after one yield')

    asyncio.create_task(other())
    await ev.wait()
    log('wait() on a set event returned without yielding')
    await asyncio.sleep(0)

    ev.clear()
    log('cleared; is_set', tf(ev.is_set()))
    t = asyncio.create_task(waiter(ev, 'late'))
    await asyncio.sleep(0.01)
    log('late still waiting:', tf(not t.done()))
    ev.set()
    await t


asyncio.run(main())
