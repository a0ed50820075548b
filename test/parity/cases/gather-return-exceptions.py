# gather(..., returnExceptions): errors and CancelledErrors come back as values, in argument order, after every
# child has finished.
import asyncio


def log(*a):
    print(*a, flush=True)


def show(v):
    if isinstance(v, BaseException):
        return type(v).__name__ + (': ' + str(v) if str(v) else '')
    return str(v)


async def child(name, d, fail=False):
    log(name, 'start')
    await asyncio.sleep(d)
    if fail:
        log(name, 'raises')
        raise ValueError(name + ' failed')
    log(name, 'done')
    return name


async def main():
    a = asyncio.create_task(child('a', 0.04))
    b = asyncio.create_task(child('b', 0.01, True))
    c = asyncio.create_task(child('c', 1))
    d = asyncio.create_task(child('d', 0.02, True))

    async def canceller():
        await asyncio.sleep(0.03)
        log('canceller: cancel c')
        c.cancel()

    asyncio.create_task(canceller())
    res = await asyncio.gather(a, b, c, d, return_exceptions=True)
    log('results:', ' | '.join(show(v) for v in res))


asyncio.run(main())
