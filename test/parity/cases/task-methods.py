# Task: done(), result(), exception(), cancelled(), name, cancel(msg), addDoneCallback (callbacks run from the loop,
# in registration order, after the task is done; one added to a done task is scheduled, not called at once).
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


def state(t):
    if t.cancelled():
        return 'cancelled'
    e = t.exception()
    return 'failed ' + type(e).__name__ if e is not None else 'ok ' + str(t.result())


async def ok():
    await asyncio.sleep(0.01)
    return 'ok-value'


async def bad():
    await asyncio.sleep(0.02)
    raise ValueError('boom')


async def slow():
    await asyncio.sleep(1)


async def main():
    t_ok = asyncio.create_task(ok(), name='ok')
    t_bad = asyncio.create_task(bad(), name='bad')
    t_slow = asyncio.create_task(slow(), name='slow')
    log(t_ok.get_name(), 'done()', tf(t_ok.done()), 'cancelled()', tf(t_ok.cancelled()))
    try:
        t_ok.result()
    except asyncio.InvalidStateError as e:
        log('result() while pending:', type(e).__name__)
    try:
        t_ok.exception()
    except asyncio.InvalidStateError as e:
        log('exception() while pending:', type(e).__name__)
    for t in (t_ok, t_bad, t_slow):
        t.add_done_callback(lambda t: log('callback 1:', t.get_name(), state(t)))
    t_ok.add_done_callback(lambda t: log('callback 2:', t.get_name()))
    r = await t_ok
    log('main woke with', r, 'done()', tf(t_ok.done()))
    log('ok exception() is none:', tf(t_ok.exception() is None))
    try:
        await t_bad
    except ValueError as e:
        log('awaiting bad raised', type(e).__name__, str(e))
    e = t_bad.exception()
    log('bad exception():', type(e).__name__, str(e))
    try:
        t_bad.result()
    except ValueError as e:
        log('bad result() raised', type(e).__name__)
    log('cancel() ->', tf(t_slow.cancel('stop it')))
    log('cancelled() right after cancel():', tf(t_slow.cancelled()))
    await asyncio.sleep(0)
    log('after one yield: cancelled()', tf(t_slow.cancelled()), 'done()', tf(t_slow.done()))
    try:
        t_slow.result()
    except asyncio.CancelledError as e:
        log('result() of cancelled raised', type(e).__name__, str(e))
    try:
        t_slow.exception()
    except asyncio.CancelledError as e:
        log('exception() of cancelled raised', type(e).__name__)
    log('cancel() again ->', tf(t_slow.cancel()))
    t_ok.add_done_callback(lambda t: log('late callback on a done task'))
    log('after adding the late callback')
    await asyncio.sleep(0)
    log('end')


asyncio.run(main())
