# sleep(seconds, result): sleepers wake in deadline order, whatever order they started in; the result comes back;
# sleep(0) and sleep(0, result) yield once and return.
import asyncio


def log(*a):
    print(*a, flush=True)


async def sleeper(name, d):
    log(name, 'sleeps', d)
    r = await asyncio.sleep(d, result=name + '-result')
    log(name, 'woke with', r)
    return r


async def main():
    tasks = [asyncio.create_task(sleeper(n, d)) for n, d in [('a', 0.03), ('b', 0.01), ('c', 0.02), ('d', 0.05)]]
    r = await asyncio.sleep(0)
    log('sleep(0) returned', 'nothing' if r is None else r)
    r = await asyncio.sleep(0, 'zero')
    log('sleep(0, result) returned', r)
    r = await asyncio.sleep(0.04, result=[1, 2])
    log('main woke at 0.04 with', r[0], r[1])
    for t in tasks:
        await t
    log('all done')


asyncio.run(main())
