# currentTask(): the task running now, also inside a coroutine it awaits; none inside a done callback (callbacks run
# from the loop, outside any task).
import asyncio


def log(*a):
    print(*a, flush=True)


def cur():
    t = asyncio.current_task()
    return 'none' if t is None else t.get_name()


async def helper(tag):
    log(tag, 'helper runs in', cur())
    await asyncio.sleep(0)
    log(tag, 'helper still in', cur())


async def child(tag):
    log(tag, 'runs in', cur())
    await helper(tag)


async def main():
    me = asyncio.current_task()
    me.set_name('main')
    log('main runs in', cur())
    t1 = asyncio.create_task(child('c1'))
    t2 = asyncio.create_task(child('c2'), name='named')
    t1.add_done_callback(lambda t: log('done callback runs in', cur()))
    await helper('main')
    await asyncio.gather(t1, t2)
    log('main still', cur(), '; same object as at the start:', 'true' if asyncio.current_task() is me else 'false')


asyncio.run(main())
