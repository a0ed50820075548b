# taskGroup() failure: a failing child cancels the other children and the body (each handles its CancelledError),
# then the group raises an ExceptionGroup whose exceptions are the children's errors, in the order they happened;
# two children failing in the same loop turn both end up in it; an error in the body cancels the children too.
import asyncio


def log(*a):
    print(*a, flush=True)


def show_group(eg):
    return type(eg).__name__ + ' [' + ', '.join(type(e).__name__ + ': ' + str(e) for e in eg.exceptions) + ']'


async def sleeper(name, d):
    try:
        log(name, 'start')
        await asyncio.sleep(d)
        log(name, 'done')
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise
    finally:
        log(name, 'finally')


async def fails(name, d, exc):
    log(name, 'start')
    if d:
        await asyncio.sleep(d)
    log(name, 'raises')
    raise exc


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper('a', 1))
            tg.create_task(fails('b', 0.01, ValueError('b failed')))
            tg.create_task(sleeper('c', 1))
            try:
                await asyncio.sleep(1)
                log('body: never printed')
            except asyncio.CancelledError:
                log('body: cancelled')
                raise
    except ExceptionGroup as eg:
        log('caught', show_group(eg))

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper('d', 1))
            tg.create_task(fails('e', 0, ValueError('e failed')))
            tg.create_task(fails('f', 0, TypeError('f failed')))
            log('body: ends')
    except ExceptionGroup as eg:
        log('caught', show_group(eg))

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper('g', 1))
            await asyncio.sleep(0.01)
            log('body: raises')
            raise KeyError('body failed')
    except ExceptionGroup as eg:
        log('caught', type(eg).__name__, [type(e).__name__ for e in eg.exceptions][0])


asyncio.run(main())
