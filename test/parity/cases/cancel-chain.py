# Cancelling a task that awaits another task cancels the awaited task too (CPython): the innermost task handles the
# CancelledError first, then each awaiting task in turn. If the awaited task swallows the cancellation, the awaiting
# task is not cancelled and gets its result.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def leaf():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log('leaf: cancelled')
        raise
    finally:
        log('leaf: finally')


async def middle(t):
    try:
        await t
    except asyncio.CancelledError:
        log('middle: cancelled; leaf cancelled():', tf(t.cancelled()))
        raise


async def top(t):
    try:
        await t
    except asyncio.CancelledError:
        log('top: cancelled; middle cancelled():', tf(t.cancelled()))
        raise


async def stubborn():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log('stubborn: swallows the cancellation')
    return 'stubborn-result'


async def waits_for_stubborn(t):
    r = await t
    log('waiter: got', r, 'without being cancelled')
    await asyncio.sleep(0.01)
    log('waiter: still running')
    return 'waiter-result'


async def main():
    lt = asyncio.create_task(leaf())
    mt = asyncio.create_task(middle(lt))
    tt = asyncio.create_task(top(mt))
    await asyncio.sleep(0.01)
    log('main: cancel top only')
    tt.cancel()
    try:
        await tt
    except asyncio.CancelledError:
        log('main: top raised CancelledError')
    log('main: cancelled()', tf(lt.cancelled()), tf(mt.cancelled()), tf(tt.cancelled()))

    st = asyncio.create_task(stubborn())
    wt = asyncio.create_task(waits_for_stubborn(st))
    await asyncio.sleep(0.01)
    log('main: cancel the waiter')
    wt.cancel()
    log('main: waiter result', await wt, 'cancelled():', tf(wt.cancelled()))


asyncio.run(main())
