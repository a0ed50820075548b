# shield(): cancelling the task that awaits the shield raises CancelledError there, but the inner task keeps running
# and can still be awaited; an inner error still propagates through the shield; cancelling the inner task itself
# cancels the awaiter.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def inner(name, d, fail=False):
    log(name, 'start')
    await asyncio.sleep(d)
    if fail:
        raise ValueError(name + ' failed')
    log(name, 'done')
    return name + '-result'


async def outer(aw):
    try:
        r = await asyncio.shield(aw)
        log('outer got', r)
    except asyncio.CancelledError:
        log('outer: cancelled')
        raise


async def main():
    it = asyncio.create_task(inner('i', 0.02))
    ot = asyncio.create_task(outer(it))
    await asyncio.sleep(0.01)
    log('cancel outer')
    ot.cancel()
    try:
        await ot
    except asyncio.CancelledError:
        log('outer cancelled():', tf(ot.cancelled()), '; inner done():', tf(it.done()))
    log('inner result', await it)

    try:
        await asyncio.shield(inner('j', 0.01, True))
    except ValueError as e:
        log('error through the shield:', type(e).__name__, str(e))

    kt = asyncio.create_task(inner('k', 1))
    ot = asyncio.create_task(outer(kt))
    await asyncio.sleep(0.01)
    log('cancel the inner task')
    kt.cancel()
    try:
        await ot
    except asyncio.CancelledError:
        log('outer cancelled():', tf(ot.cancelled()))


asyncio.run(main())
