"""Threads that run handlers as Lambda's execution environments run invocations: one at a time each, an idle one
reused before a new one starts.

Lambda sends an invocation to an idle environment of the function when it has one, and starts another only when
every one is busy (up to its concurrency). Here an environment is a thread with its own inbox: a submit takes
the environment that became idle last, whose caches (its event loop, what the CPU cached) are the warmest, and
starts a thread only when none is idle. Past `max_environments`, invocations wait for the next one to come free,
in order. An environment is idle again before its caller learns the result, so the caller's next invocation
finds it: concurrent.futures' pool signalled a worker idle only after the result, so a caller quick to submit
again made it start a new thread, up to its maximum, and invocations went round dozens of threads, each with
cold caches (about 0.1 ms of CPU a call more than a hand-off to one thread; tests/bench/local_fidelity.py).
Threads are daemons: a handler run past its timeout (its caller no longer waits) never holds up the exit.
"""

from __future__ import annotations

import collections
import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any

_Work = tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]]


class ExecutionEnvironments:
    """Run calls on reusable threads, one call at a time per thread (the module docstring tells how)."""

    def __init__(self, name: str, max_environments: int) -> None:
        self._name = name
        self._max = max_environments
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Work]] = []
        self._waiting: collections.deque[_Work] = collections.deque()
        self._started = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        """Run `fn(*args)` in an idle environment, a new one, or the next to come free; its future."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        work = (future, fn, args)
        with self._lock:
            if self._idle:
                self._idle.pop().put(work)
                return future
            if self._started >= self._max:
                self._waiting.append(work)
                return future
            self._started += 1
            number = self._started
        inbox: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        inbox.put(work)
        threading.Thread(target=self._serve, args=(inbox,), name=f"{self._name}-{number}", daemon=True).start()
        return future

    def _serve(self, inbox: queue.SimpleQueue[_Work]) -> None:
        while True:
            future, fn, args = inbox.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                outcome, failed = fn(*args), False
            except BaseException as exc:  # the caller's future carries whatever the handler raised
                outcome, failed = exc, True
            with self._lock:
                # idle again (or on to the next waiting call) before the caller hears the outcome
                if self._waiting:
                    inbox.put(self._waiting.popleft())
                else:
                    self._idle.append(inbox)
            if failed:
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
            del future, fn, args, outcome
