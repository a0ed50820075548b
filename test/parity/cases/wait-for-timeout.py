# waitFor() timeout: the inner awaitable is cancelled and waitFor WAITS until it has finished cancelling (its finally,
# even one that awaits, prints before the TimeoutError is caught); an inner task that swallows the cancellation makes
# waitFor return its value; an error raised while cancelling replaces the TimeoutError; a shielded task keeps running;
# timeout 0 cancels a coroutine before it starts; cancelling the task inside waitFor cancels the inner awaitable too.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def slow(name):
    log(name, 'start')
    try:
        await asyncio.sleep(1)
        log(name, 'never printed')
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise
    finally:
        log(name, 'finally: cleaning up')
        await asyncio.sleep(0.01)
        log(name, 'finally: cleaned up')


async def stubborn():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log('stubborn: swallows the cancellation')
    return 'stubborn-value'


async def fails_on_cancel():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log('fails_on_cancel: raises while being cancelled')
        raise KeyError('cleanup failed')


async def protected():
    await asyncio.sleep(0.03)
    log('protected: finished anyway')
    return 'protected-value'


async def not_started():
    log('not_started: body ran (wrong)')


async def outer():
    try:
        return await asyncio.wait_for(slow('inner'), 1)
    except asyncio.CancelledError:
        log('outer: cancelled')
        raise


async def main():
    try:
        await asyncio.wait_for(slow('a'), 0.02)
    except asyncio.TimeoutError as e:
        log('caught', type(e).__name__)

    t = asyncio.create_task(slow('b'))
    try:
        await asyncio.wait_for(t, 0.02)
    except asyncio.TimeoutError as e:
        log('caught', type(e).__name__, '; task cancelled():', tf(t.cancelled()))

    log('stubborn ->', await asyncio.wait_for(stubborn(), 0.01))

    try:
        await asyncio.wait_for(not_started(), 0)
    except asyncio.TimeoutError as e:
        log('timeout 0 ->', type(e).__name__)

    try:
        await asyncio.wait_for(fails_on_cancel(), 0.01)
    except KeyError:
        log('error raised during the cancellation ->', 'KeyError')

    p = asyncio.create_task(protected())
    try:
        await asyncio.wait_for(asyncio.shield(p), 0.01)
    except asyncio.TimeoutError as e:
        log('shielded ->', type(e).__name__, '; task cancelled():', tf(p.cancelled()))
    log('shielded task result', await p)

    o = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    log('cancel outer')
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        log('outer cancelled():', tf(o.cancelled()))


asyncio.run(main())
