# wait() (ALL_COMPLETED, the default): returns when every task is done, errors included, without raising.
import asyncio


def log(*a):
    print(*a, flush=True)


def names(s):
    return '[' + ', '.join(sorted(t.get_name() for t in s)) + ']'


async def child(name, d, fail=False):
    await asyncio.sleep(d)
    if fail:
        log(name, 'raises')
        raise ValueError(name)
    log(name, 'done')
    return name


async def main():
    ts = [asyncio.create_task(child(n, d, f), name=n) for n, d, f in
          [('a', 0.03, False), ('b', 0.01, True), ('c', 0.02, False)]]
    done, pending = await asyncio.wait(ts)
    log('done', names(done), 'pending', names(pending))
    done, pending = await asyncio.wait(ts, return_when=asyncio.ALL_COMPLETED)
    log('again, all already done:', names(done), names(pending))
    log('b raised', type(ts[1].exception()).__name__)


asyncio.run(main())
