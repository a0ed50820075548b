# gather(): coroutines are wrapped in tasks at once and start in argument order; results come back in argument order
# whatever the completion order; the same awaitable passed twice runs once; gather() of nothing gives [].
import asyncio


def log(*a):
    print(*a, flush=True)


async def child(name, d):
    log(name, 'start')
    await asyncio.sleep(d)
    log(name, 'done')
    return name + '!'


async def main():
    t = asyncio.create_task(child('t', 0.02))
    c = child('twice', 0.01)
    log('gather called')
    g = asyncio.gather(child('a', 0.03), t, c, child('b', 0.01), c)
    log('nothing started yet')
    res = await g
    log('results', ','.join(res))
    empty = await asyncio.gather()
    log('empty gather', len(empty))


asyncio.run(main())
