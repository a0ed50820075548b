# cancel(): CancelledError is raised inside the task at the await where it is suspended, with the message; finally
# blocks run; cancelled() is only true once the task has handled it; a task that swallows the CancelledError goes on
# and finishes normally; a task cancelled before its first step never runs its body; a task that only yields with
# sleep(0) is cancelled at its next yield.
import asyncio


def log(*a):
    print(*a, flush=True)


def tf(x):
    return 'true' if x else 'false'


async def worker():
    log('worker: step 1')
    await asyncio.sleep(0.01)
    log('worker: step 2')
    try:
        log('worker: suspended at the second await')
        await asyncio.sleep(1)
        log('worker: never printed')
    except asyncio.CancelledError as e:
        log('worker: CancelledError at the second await, message:', str(e))
        raise
    finally:
        log('worker: finally')


async def swallower():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log('swallower: caught CancelledError, carries on')
    await asyncio.sleep(0.01)
    log('swallower: returns normally')
    return 'survived'


async def spinner():
    i = 0
    try:
        while True:
            log('spinner: turn', i)
            i += 1
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        log('spinner: cancelled at its sleep(0) after', i, 'turns')
        raise


async def never_runs():
    log('never_runs: body ran (wrong)')


async def main():
    w = asyncio.create_task(worker())
    s = asyncio.create_task(swallower())
    await asyncio.sleep(0.02)
    log('main: cancel worker')
    w.cancel('enough')
    log('main: worker cancelled() right after cancel():', tf(w.cancelled()))
    try:
        await w
    except asyncio.CancelledError as e:
        log('main: awaiting worker raised CancelledError, message:', str(e))
    log('main: worker cancelled():', tf(w.cancelled()))

    s.cancel()
    r = await s
    log('main: swallower result', r, 'cancelled():', tf(s.cancelled()))

    t = asyncio.create_task(never_runs())
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        log('main: task cancelled before its first step; cancelled():', tf(t.cancelled()))

    sp = asyncio.create_task(spinner())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log('main: cancel spinner')
    sp.cancel()
    await asyncio.gather(sp, return_exceptions=True)
    log('main: spinner cancelled():', tf(sp.cancelled()))


asyncio.run(main())
