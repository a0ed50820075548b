# Queue.taskDone/join: join() returns only after taskDone() was called once per item put; joiners wake in order,
# after the worker that made the count reach zero yields; join() on a queue with nothing unfinished returns at once.
import asyncio


def log(*a):
    print(*a, flush=True)


async def worker(q, name):
    while True:
        it = await q.get()
        log(name, 'processing', it)
        await asyncio.sleep(0.01)
        log(name, 'task_done', it)
        q.task_done()


async def joiner(q, name):
    await q.join()
    log(name, 'join returned')


async def main():
    q = asyncio.Queue()
    await q.join()
    log('join on a fresh queue returned at once')
    for i in range(4):
        q.put_nowait(i)
    ws = [asyncio.create_task(worker(q, n)) for n in ['w1', 'w2']]
    js = [asyncio.create_task(joiner(q, n)) for n in ['j1', 'j2']]
    await q.join()
    log('main join returned, qsize', q.qsize())
    await asyncio.gather(*js)
    for w in ws:
        w.cancel()
    await asyncio.gather(*ws, return_exceptions=True)
    log('workers stopped')


asyncio.run(main())
