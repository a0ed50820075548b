# createTask(): the new task first runs when its creator next yields to the loop, tasks start in creation order, and
# default names are Task-N (the main task being Task-1).
import asyncio


def log(*a):
    print(*a, flush=True)


async def child(n):
    log('child', n, 'start in', asyncio.current_task().get_name())
    await asyncio.sleep(0)
    log('child', n, 'step 2')
    return n * 10


async def main():
    t1 = asyncio.create_task(child(1))
    t2 = asyncio.create_task(child(2))
    t3 = asyncio.create_task(child(3), name='third')
    log('created', t1.get_name(), t2.get_name(), t3.get_name())
    log('still in main, nothing started')
    await asyncio.sleep(0)
    log('main after its first yield')
    r = await t1
    log('t1 result', r)
    log('t2 result', await t2, 't3 result', await t3)


asyncio.run(main())
