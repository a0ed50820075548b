# taskGroup() success: the body runs to its end first, then the group waits for every child; children created by
# other children through the group are waited for too; the group's value comes after the last child.
import asyncio


def log(*a):
    print(*a, flush=True)


async def child(name, d, tg=None):
    log(name, 'start')
    await asyncio.sleep(d)
    if tg is not None:
        log(name, 'spawns', name + '2')
        tg.create_task(child(name + '2', 0.02))
    log(name, 'done')
    return name


async def main():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(child('a', 0.03))
        b = tg.create_task(child('b', 0.01, tg))
        log('body: created a and b')
        await asyncio.sleep(0)
        log('body: ends')
    log('group done:', a.result(), b.result())


asyncio.run(main())
