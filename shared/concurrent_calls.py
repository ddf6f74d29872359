"""Storage calls sent side by side where they wait on a network, one after another where they are answered here.

On AWS the calls of one round (a list's shard queries, its counter read, a large BatchGetItem's chunks) go out
at once, so their latencies overlap. The local stack's in-process moto answers on the caller's CPU under the
GIL: there, threads only add hand-offs (a quarter of a local list page's CPU), so the local stack turns them off
with `answer_in_process()`. What is sent, read and metered is the same either way; only the waiting differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_calls_wait_on_network = True


def answer_in_process() -> None:
    """Declare that storage calls are answered in this process (the local stack's moto), not over a network."""
    global _calls_wait_on_network
    _calls_wait_on_network = False


@contextmanager
def over_network() -> Iterator[None]:
    """Send calls side by side inside the block whatever answers them: a benchmark of the cloud's CPU, run
    against the in-process moto, pays the thread hand-offs the cloud pays."""
    global _calls_wait_on_network
    saved, _calls_wait_on_network = _calls_wait_on_network, True
    try:
        yield
    finally:
        _calls_wait_on_network = saved


def submit(pool: Callable[[], ThreadPoolExecutor], call: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
    """Run `call` on `pool` (a factory: the pool is made on first use) where calls wait on a network; run it
    right here, as a finished Future, where they are answered in process."""
    if _calls_wait_on_network:
        return pool().submit(call, *args, **kwargs)
    done: Future[T] = Future()
    try:
        done.set_result(call(*args, **kwargs))
    except BaseException as exc:  # handed to the caller through the Future, as the pool would
        done.set_exception(exc)
    return done
