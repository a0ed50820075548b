# Timers with equal deadlines fire in the order they were set; a timer set later never overtakes one set earlier
# for the same or an earlier moment, even when it was set in a later step (b: 0.01 + 0.01 versus a: 0.02).
import asyncio


def log(*a):
    print(*a, flush=True)


async def sleeper(name, d):
    await asyncio.sleep(d)
    log(name, 'woke after', d)


async def two_steps(name):
    await asyncio.sleep(0.01)
    log(name, 'first wake')
    await asyncio.sleep(0.01)
    log(name, 'second wake')


async def main():
    # Created in the order z, y, x, w: same delay, so they wake in that order.
    ts = [asyncio.create_task(sleeper(n, 0.02)) for n in ['z', 'y', 'x', 'w']]
    ts.append(asyncio.create_task(sleeper('a', 0.02)))
    ts.append(asyncio.create_task(two_steps('b')))
    ts.append(asyncio.create_task(sleeper('c', 0.02)))
    await asyncio.gather(*ts)
    log('done')


asyncio.run(main())
