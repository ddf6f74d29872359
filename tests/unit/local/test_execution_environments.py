"""local.environments: handlers run one at a time per thread, an idle thread reused before a new one starts."""

from __future__ import annotations

import threading

import pytest

from local.environments import ExecutionEnvironments


def thread_name() -> str:
    return threading.current_thread().name


def test_calls_one_after_another_reuse_one_environment() -> None:
    # Given environments, When calls are made one after another, each waited for
    environments = ExecutionEnvironments("t", max_environments=8)
    names = [environments.submit(thread_name).result(timeout=5) for _ in range(50)]
    # Then every one ran in the same environment, never the caller's thread
    assert set(names) == {"t-1"} and thread_name() not in names


def test_a_busy_environment_gets_company_and_the_last_idle_one_is_reused_first() -> None:
    environments = ExecutionEnvironments("t", max_environments=8)
    release = threading.Event()
    # Given an environment held busy
    held = environments.submit(lambda: (release.wait(5), thread_name())[1])
    # When another call comes, Then it starts a second environment
    assert environments.submit(thread_name).result(timeout=5) == "t-2"
    # And when the first is freed, the one idle last (the second) is reused first, then the first
    release.set()
    assert held.result(timeout=5) == "t-1"
    assert environments.submit(thread_name).result(timeout=5) == "t-1"


def test_past_the_maximum_calls_wait_in_order_for_the_next_free_environment() -> None:
    # Given the only environment held busy
    environments = ExecutionEnvironments("t", max_environments=1)
    release = threading.Event()
    order: list[int] = []
    held = environments.submit(release.wait, 5)
    # When more calls come, Then they wait, and run in the order they came, in that environment
    waiting = [environments.submit(lambda n=n: (order.append(n), thread_name())[1]) for n in range(5)]
    assert not any(f.done() for f in waiting)
    release.set()
    assert held.result(timeout=5) is True
    assert [f.result(timeout=5) for f in waiting] == ["t-1"] * 5 and order == [0, 1, 2, 3, 4]


def test_a_failing_call_raises_to_its_caller_and_leaves_the_environment_usable() -> None:
    environments = ExecutionEnvironments("t", max_environments=1)
    with pytest.raises(ZeroDivisionError):
        environments.submit(lambda: 1 / 0).result(timeout=5)
    assert environments.submit(lambda: 42).result(timeout=5) == 42
