# Tasks that become ready together run in the order they became ready: waiters of one future wake in the order they
# started waiting; futures completed one after the other wake their waiters in that order; a task created between two
# wake-ups takes its place between them.
import asyncio


def log(*a):
    print(*a, flush=True)


async def waiter(name, fut):
    log(name, 'waits')
    v = await fut
    log(name, 'woke with', v)


async def newcomer():
    log('newcomer runs')


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    # Created c, a, b: they start, and so wait, in that order.
    for n in ['c', 'a', 'b']:
        asyncio.create_task(waiter(n, f))
    await asyncio.sleep(0)
    log('main: set f')
    f.set_result('f')
    await asyncio.sleep(0)
    log('main: after one yield')

    f1, f2, f3 = loop.create_future(), loop.create_future(), loop.create_future()
    asyncio.create_task(waiter('w1', f1))
    asyncio.create_task(waiter('w2', f2))
    asyncio.create_task(waiter('w3', f3))
    await asyncio.sleep(0)
    log('main: set f3, create newcomer, set f1, set f2')
    f3.set_result(3)
    asyncio.create_task(newcomer())
    f1.set_result(1)
    f2.set_result(2)
    log('main: yields')
    await asyncio.sleep(0)
    log('main: back')


asyncio.run(main())
