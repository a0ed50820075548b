# Thousands of ready tasks and callbacks at once, in waves (the ready queue grows and wraps around while tasks keep
# joining it): each runs in the order it became ready. A checksum of the order is printed, and its first and last steps.
import asyncio


def log(*a):
    print(*a, flush=True)


order = []


async def worker(i, steps):
    for s in range(steps):
        order.append(i * 100 + s)
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    for wave, n in enumerate([1500, 3000, 700]):
        tasks = [asyncio.create_task(worker(wave * 10000 + i, 1 + i % 4)) for i in range(n)]
        for i in range(0, n, 7):
            loop.call_soon(order.append, -(wave * 10000 + i))
        await asyncio.sleep(0)
        await asyncio.gather(*tasks)
    digest = 0
    for k, v in enumerate(order):
        digest = (digest * 31 + v * (k % 97 + 1)) % 1000000007
    log('steps', len(order), 'digest', digest)
    log('first', order[:6])
    log('last', order[-6:])


asyncio.run(main())
