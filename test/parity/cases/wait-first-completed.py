# wait(FIRST_COMPLETED): returns as soon as one task is done; the others stay pending and keep running.
import asyncio


def log(*a):
    print(*a, flush=True)


def names(s):
    return '[' + ', '.join(sorted(t.get_name() for t in s)) + ']'


async def child(name, d):
    await asyncio.sleep(d)
    log(name, 'done')
    return name


async def main():
    ts = [asyncio.create_task(child(n, d), name=n) for n, d in [('a', 0.04), ('b', 0.01), ('c', 0.03), ('d', 0.02)]]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    log('done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    log('done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    log('some already done: done', names(done), 'pending', names(pending))
    await asyncio.sleep(0.03)
    log('end')


asyncio.run(main())
