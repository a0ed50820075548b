# asCompleted(): awaitables that give the results in completion order; with a timeout, the ones left when it expires
# raise TimeoutError, and their tasks are not cancelled.
import asyncio


def log(*a):
    print(*a, flush=True)


async def child(name, d):
    await asyncio.sleep(d)
    log(name, 'done')
    return name


async def main():
    ts = [asyncio.create_task(child(n, d)) for n, d in [('a', 0.03), ('b', 0.01), ('c', 0.04), ('d', 0.02)]]
    for i, aw in enumerate(asyncio.as_completed(ts)):
        r = await aw
        log('result', i, r)

    ts = [asyncio.create_task(child(n, d)) for n, d in [('e', 0.05), ('f', 0.01), ('g', 0.03)]]
    for aw in asyncio.as_completed(ts, timeout=0.02):
        try:
            log('got', await aw)
        except asyncio.TimeoutError as e:
            log('timed out:', type(e).__name__)
    log('e, g still running')
    await asyncio.gather(*ts)
    log('end')


asyncio.run(main())
