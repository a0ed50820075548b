# sleep(0) is a bare yield: the task goes to the back of the ready queue, so tasks take turns round-robin, in the
# order they became ready, with main in its place in the rotation.
import asyncio


def log(*a):
    print(*a, flush=True)


async def spinner(name, n):
    for i in range(n):
        log(name, i)
        await asyncio.sleep(0)
    log(name, 'done')


async def main():
    tasks = [asyncio.create_task(spinner(name, n)) for name, n in [('A', 3), ('B', 1), ('C', 4)]]
    for i in range(3):
        log('main', i)
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    log('main done')


asyncio.run(main())
