# wait(FIRST_EXCEPTION): returns when a task raises (or when all are done if none does); wait itself never raises.
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
          [('a', 0.01, False), ('b', 0.02, True), ('c', 0.03, False), ('d', 0.04, True)]]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    log('done', names(done), 'pending', names(pending))
    for t in sorted(done, key=lambda t: t.get_name()):
        e = t.exception()
        log(' ', t.get_name(), 'raised ' + type(e).__name__ if e else 'returned ' + t.result())
    ok = [asyncio.create_task(child(n, d), name=n) for n, d in [('e', 0.02), ('f', 0.01)]]
    done, pending = await asyncio.wait(ok, return_when=asyncio.FIRST_EXCEPTION)
    log('no error: done', names(done), 'pending', names(pending))
    await asyncio.gather(*pending, return_exceptions=True)
    for t in ts:
        if t.done() and not t.cancelled():
            t.exception()
    log('end')


asyncio.run(main())
