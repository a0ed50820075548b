# Cancelling a gather cancels its children (each handles its CancelledError), then the gather raises
# CancelledError, even with returnExceptions; cancelling the task that awaits a gather cancels the children the
# same way.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def child(name):
    try:
        log(name, 'start')
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise
    finally:
        log(name, 'finally')


async def awaits_gather():
    try:
        await asyncio.gather(child('p'), child('q'))
    except asyncio.CancelledError:
        log('awaits_gather: cancelled')
        raise


async def main():
    g = asyncio.gather(child('a'), child('b'))
    await asyncio.sleep(0.01)
    log('cancel() ->', tf(g.cancel()))
    try:
        await g
    except asyncio.CancelledError:
        log('gather raised CancelledError; cancelled():', tf(g.cancelled()))

    g = asyncio.gather(child('r'), child('s'), return_exceptions=True)
    await asyncio.sleep(0.01)
    g.cancel()
    try:
        await g
        log('returned (wrong)')
    except asyncio.CancelledError:
        log('returnExceptions gather cancelled: raised CancelledError')

    t = asyncio.create_task(awaits_gather())
    await asyncio.sleep(0.01)
    log('cancel the awaiting task')
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        log('awaiting task cancelled():', tf(t.cancelled()))


asyncio.run(main())
