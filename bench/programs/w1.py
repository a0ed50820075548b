# W1: 100,000 tasks that each sleep(0) ten times, joined by gather. Prints the elapsed and CPU milliseconds of asyncio.run.
import asyncio
import time

TASKS = 100_000
YIELDS = 10


async def worker():
    for _ in range(YIELDS):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(TASKS)])


cpu0 = time.thread_time()
t0 = time.perf_counter()
asyncio.run(main())
elapsed = time.perf_counter() - t0
print(f"elapsed_ms={elapsed * 1000:.1f} cpu_ms={(time.thread_time() - cpu0) * 1000:.1f}")
