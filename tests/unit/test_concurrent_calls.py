"""Storage calls side by side over a network, one after another where they are answered in process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest

from shared import concurrent_calls


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-call")


def _thread_name() -> str:
    return threading.current_thread().name


def _fail() -> None:
    raise RuntimeError("throttled")


@pytest.fixture
def in_process() -> Iterator[None]:
    with concurrent_calls.over_network():  # restores the process-wide mode it found, on the way out
        concurrent_calls.answer_in_process()
        yield


def test_over_a_network_calls_go_to_the_pool() -> None:
    with concurrent_calls.over_network():
        assert concurrent_calls.submit(_pool, _thread_name).result().startswith("test-call")


def test_answered_in_process_calls_run_on_the_callers_thread(in_process: None) -> None:
    future = concurrent_calls.submit(_pool, _thread_name)
    assert future.done() and future.result() == threading.current_thread().name


def test_answered_in_process_a_failure_comes_back_through_the_future(in_process: None) -> None:
    future = concurrent_calls.submit(_pool, _fail)
    with pytest.raises(RuntimeError, match="throttled"):
        future.result()


def test_over_network_restores_the_mode_it_found(in_process: None) -> None:
    with concurrent_calls.over_network():
        pass
    assert concurrent_calls.submit(_pool, _thread_name).result() == threading.current_thread().name
