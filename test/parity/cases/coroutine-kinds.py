# Python counterpart of coroutine-kinds.ts: in CPython every kind is a plain coroutine.
import asyncio


def log(*a):
    print(' '.join(str(x) for x in a))


async def depth(n):
    if n == 0:
        await asyncio.sleep(0)
        return 0
    log('depth', n)
    return 1 + (await depth(n - 1))


async def elsewhere(tag):
    log(tag, 'start')
    await asyncio.sleep(0.01)
    log(tag, 'end')
    return tag


class Holder:
    label = 'holder'

    async def run(self):
        await asyncio.sleep(0)
        return self.label


holder = Holder()


async def plain_helper():
    r = await elsewhere('via-helper')
    await asyncio.sleep(0)
    return f'helper({r})'


async def fails_at_once():
    raise ValueError('before any await')


async def sleeper(name):
    try:
        await asyncio.sleep(1)
        log(name, 'woke (wrong)')
    finally:
        log(name, 'finally')


async def main():
    log('depth result', await depth(3))
    log('elsewhere result', await elsewhere('direct'))
    log('holder result', await holder.run())
    log('helper result', await plain_helper())
    try:
        await fails_at_once()
    except ValueError as e:
        log('caught', 'RangeError', str(e))
    t1 = asyncio.create_task(sleeper('gen'), name='gen')
    t2 = asyncio.create_task(elsewhere('thunk'), name='thunk')
    t3 = asyncio.create_task(elsewhere('async'), name='async')
    await asyncio.sleep(0)
    t1.cancel()
    t2.cancel()
    t3.cancel()
    rs = await asyncio.gather(t1, t2, t3, return_exceptions=True)
    log('gathered', ','.join('CancelledError' if isinstance(r, asyncio.CancelledError) else str(r) for r in rs))
    a, b = await asyncio.gather(depth(2), elsewhere('in-gather'))
    log('gather results', a, b)


asyncio.run(main())
