# W1: 100,000 tasks that each sleep(0) ten times, joined by gather. Prints the elapsed and CPU milliseconds of asyncio.run.
import asyncio

from measure import measure

TASKS = 100_000
YIELDS = 10


async def worker():
    for _ in range(YIELDS):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(TASKS)])


measure(lambda: asyncio.run(main()))
