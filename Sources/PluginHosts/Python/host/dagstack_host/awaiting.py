"""Running what a plugin returns to its value: plain values as they are, coroutines and other
awaitables awaited.

asyncio is imported only when needed: with inspect and random it costs ~50 ms of start-up, and most
plugins' coroutines (an `async def setup` that awaits nothing) do not need an event loop."""
import sys
import types

from .values import Record

_PLAIN = frozenset((dict, Record, list, str, int, float, bool, type(None)))
LOOP = None


def loop():
    """The host's one event loop, created on first use."""
    global LOOP
    if LOOP is None:
        import asyncio

        LOOP = asyncio.new_event_loop()
        asyncio.set_event_loop(LOOP)
    return LOOP


def resolve(result):
    """The value of what a plugin returned, awaiting it if it is awaitable. While nothing has imported
    asyncio, nothing a coroutine calls can need its loop: it is run directly, and one that finishes
    without suspending needs no loop at all. Otherwise it runs on the asyncio loop."""
    if type(result) in _PLAIN:
        return result
    if isinstance(result, types.CoroutineType) and "asyncio" not in sys.modules:
        try:
            pending = result.send(None)
        except StopIteration as done:
            return done.value
        return loop().run_until_complete(_resume(result, pending))
    if isinstance(result, types.CoroutineType):
        return loop().run_until_complete(result)
    if hasattr(result, "__await__") and not isinstance(result, type):
        async def wait():
            return await result
        return loop().run_until_complete(wait())
    return result


async def _resume(coro, pending):
    """Carries on a coroutine that suspended on `pending` (what it yielded to the loop)."""
    import asyncio

    while True:
        try:
            if pending is None:
                await asyncio.sleep(0)
                value = None
            else:
                value = await pending
        except BaseException as exc:  # the awaited thing failed: the coroutine sees the error
            try:
                pending = coro.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            pending = coro.send(value)
        except StopIteration as done:
            return done.value


def running_tasks():
    """The asyncio tasks of the host's loop (none while no loop exists)."""
    if LOOP is None:
        return set()
    import asyncio

    return set(asyncio.all_tasks(LOOP))
