# allTasks(): every task of the loop that is not done, the main task included, and tasks created but not started;
# finished tasks drop out.
import asyncio


def log(*a):
    print(*a, flush=True)


def names():
    return '[' + ', '.join(sorted(t.get_name() for t in asyncio.all_tasks())) + ']'


async def child(d):
    await asyncio.sleep(d)


async def main():
    asyncio.current_task().set_name('main')
    log('alone:', names())
    a = asyncio.create_task(child(0.01), name='a')
    b = asyncio.create_task(child(0.02), name='b')
    log('created, not started:', names())
    await asyncio.sleep(0)
    log('started:', names())
    await a
    log('a finished:', names())
    b.cancel()
    await asyncio.sleep(0)
    log('b cancelled:', names())


asyncio.run(main())
