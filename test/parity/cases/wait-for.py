# waitFor() without a timeout, or finishing in time: the result comes back and nothing is cancelled; an error of the
# inner awaitable propagates; the inner coroutine runs in its own task.
import asyncio


def log(*a):
    print(*a, flush=True)


async def work(name, d, fail=False):
    log(name, 'start in', 'main' if asyncio.current_task().get_name() == 'main' else 'another task')
    await asyncio.sleep(d)
    if fail:
        raise ValueError(name + ' failed')
    log(name, 'done')
    return name + '-result'


async def main():
    asyncio.current_task().set_name('main')
    log('no timeout ->', await asyncio.wait_for(work('a', 0.02), None))
    log('in time ->', await asyncio.wait_for(work('b', 0.01), 0.05))
    t = asyncio.create_task(work('c', 0.01))
    log('task in time ->', await asyncio.wait_for(t, 1))
    try:
        await asyncio.wait_for(work('d', 0.01, True), 0.05)
    except ValueError as e:
        log('inner error ->', type(e).__name__, str(e))


asyncio.run(main())
