# coroutine(): calling it starts nothing; awaiting it runs the body inside the awaiting task, without yielding to
# other tasks unless the body itself waits; awaiting it twice is a RuntimeError; wrapping it in a task runs it there.
import asyncio


def log(*a):
    print(*a, flush=True)


async def body(tag):
    log('body', tag, 'starts in', asyncio.current_task().get_name())
    await asyncio.sleep(0)
    log('body', tag, 'ends')
    return tag.upper()


async def quick():
    log('quick: runs without yielding')
    return 'quick-result'


async def other():
    log('other task runs')


async def main():
    asyncio.current_task().set_name('main')
    c = body('x')
    log('coroutine created, not started')
    await asyncio.sleep(0.01)
    log('still not started after a sleep')
    r = await c
    log('awaited ->', r)
    try:
        await c
    except RuntimeError as e:
        log('second await:', type(e).__name__, str(e))

    asyncio.create_task(other())
    r = await quick()
    log('after quick:', r)
    await asyncio.sleep(0)
    log('after yielding once')

    t = asyncio.create_task(body('y'), name='wrapper')
    log('task created around a coroutine')
    log('task result', await t)


asyncio.run(main())
