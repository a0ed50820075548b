# gather() without returnExceptions: the first error rejects the gather at once, and the other children KEEP
# RUNNING (a later error is not raised anywhere); a child that is cancelled makes the gather raise CancelledError
# while the awaiting task itself is not cancelled.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def child(name, d, fail=False):
    log(name, 'start')
    await asyncio.sleep(d)
    if fail:
        log(name, 'raises')
        raise ValueError(name + ' failed')
    log(name, 'done')
    return name


async def main():
    try:
        await asyncio.gather(child('a', 0.03), child('b', 0.01, True), child('c', 0.02, True))
    except ValueError as e:
        log('gather raised', type(e).__name__, str(e))
    log('main continues while a and c run')
    await asyncio.sleep(0.05)

    x = asyncio.create_task(child('x', 1))
    y = asyncio.create_task(child('y', 0.02))
    g = asyncio.gather(x, y)
    await asyncio.sleep(0.01)
    x.cancel()
    try:
        await g
    except asyncio.CancelledError:
        log('gather raised CancelledError; main cancelled:', tf(asyncio.current_task().cancelled()))
    log('y done?', tf(y.done()))
    await y
    log('y done?', tf(y.done()))


asyncio.run(main())
