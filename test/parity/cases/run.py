# run(): returns main's result; a task scheduled before main returned still gets its first step (it was ahead of
# main's completion in the ready queue); tasks still pending are then cancelled and their finally blocks run; an
# error in main comes out of run(), and run() can be called again; a main task cancelled by a child makes run()
# raise CancelledError.
import asyncio


def log(*a):
    print(*a, flush=True)


async def leftover():
    log('leftover: start')
    try:
        await asyncio.sleep(1)
        log('leftover: never printed')
    except asyncio.CancelledError:
        log('leftover: cancelled at shutdown')
        raise
    finally:
        log('leftover: finally')


async def late():
    log('late: first step runs before shutdown')
    await asyncio.sleep(1)
    log('late: never printed')


async def main():
    log('main: start')
    asyncio.create_task(leftover())
    await asyncio.sleep(0)
    asyncio.create_task(late())
    log('main: returns 42')
    return 42


async def failing_main():
    log('failing_main: start')
    await asyncio.sleep(0.01)
    raise ValueError('main failed')


async def cancels_main(main_task):
    log('cancels_main: cancelling main')
    main_task.cancel()


async def cancelled_main():
    asyncio.create_task(cancels_main(asyncio.current_task()))
    try:
        await asyncio.sleep(1)
    finally:
        log('cancelled_main: finally')


log('before run')
result = asyncio.run(main())
log('run returned', result)
try:
    asyncio.run(failing_main())
except ValueError as e:
    log('second run raised', type(e).__name__, str(e))
try:
    asyncio.run(cancelled_main())
except asyncio.CancelledError as e:
    log('third run raised', type(e).__name__)
log('end')
