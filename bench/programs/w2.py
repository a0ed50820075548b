# W2: 4 producers and 4 consumers pass 300,000 items through a Queue(100). Prints the elapsed and CPU milliseconds.
import asyncio

from measure import measure

ITEMS = 300_000
PRODUCERS = 4
CONSUMERS = 4


async def producer(q, n):
    for i in range(n):
        await q.put(i)


async def consumer(q):
    while True:
        await q.get()
        q.task_done()


async def main():
    q = asyncio.Queue(100)
    consumers = [asyncio.create_task(consumer(q)) for _ in range(CONSUMERS)]
    await asyncio.gather(*[producer(q, ITEMS // PRODUCERS) for _ in range(PRODUCERS)])
    await q.join()
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)


measure(lambda: asyncio.run(main()))
