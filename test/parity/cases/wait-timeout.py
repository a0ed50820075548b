# wait(timeout): returns the done and pending sets when the timeout expires, without raising and without cancelling
# the pending tasks, which keep running.
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
    ts = [asyncio.create_task(child(n, d), name=n) for n, d in [('a', 0.01), ('b', 0.07), ('c', 0.02), ('d', 0.05)]]
    done, pending = await asyncio.wait(ts, timeout=0.03)
    log('after 0.03: done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(pending, timeout=0.01)
    log('nothing more within 0.01: done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(pending, timeout=1, return_when=asyncio.FIRST_COMPLETED)
    log('first completed: done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(ts, timeout=1)
    log('all done before the timeout: pending', names(pending))


asyncio.run(main())
