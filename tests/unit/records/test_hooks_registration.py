"""Record hooks registered on first use: nothing runs for reads, and the first write sees every hook, in order."""

from __future__ import annotations

import threading

import pytest

from shared.collections.model import Collection
from shared.records.context import RequestContext
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.model import StoredRecord

POSTS = Collection(id="pbc_posts0000001", name="posts")


def _event() -> RecordEvent:
    return RecordEvent(action="create", collection=POSTS, record=StoredRecord(POSTS.id, "post00000000001", {}),
                       existing=None, request=RequestContext(method="POST"))


def test_a_registrar_runs_only_when_hooks_are_first_needed_and_keeps_the_registration_order() -> None:
    # Given a registrar on first use, then a hook registered directly
    ran: list[str] = []
    calls: list[str] = []
    hooks = RecordHooks()

    def register(h: RecordHooks) -> None:
        calls.append("registrar")
        h.on("before", lambda event: ran.append("feature"), actions=("create",))

    hooks.on_first_use(register)
    registered_before_use = list(calls)
    hooks.on("before", lambda event: ran.append("direct"))
    # When a write runs its before hooks twice
    hooks.before(_event())
    hooks.before(_event())
    # Then the registrar ran once, when the direct hook was added, and its hook runs first
    assert registered_before_use == []
    assert calls == ["registrar"]
    assert ran == ["feature", "direct", "feature", "direct"]


def test_a_failing_registrar_leaves_nothing_half_registered_and_is_run_again_next_time() -> None:
    # Given a registrar that registers one hook, then fails once
    ran: list[str] = []
    attempts: list[int] = []
    hooks = RecordHooks()

    def register(h: RecordHooks) -> None:
        h.on("after", lambda event: ran.append("after"))
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("feature failed to load")

    hooks.on_first_use(register)
    # When the first write's hooks fail to register, and a second write comes
    with pytest.raises(RuntimeError):
        hooks.after([_event()])
    hooks.after([_event()])
    # Then the second write ran the hook once: the failed attempt left no copy of it
    assert len(attempts) == 2
    assert ran == ["after"]


def test_threads_running_hooks_at_once_all_see_every_registered_hook() -> None:
    # Given a registrar that lets a second thread start while it registers
    started, release = threading.Event(), threading.Event()
    hooks = RecordHooks()

    def register(h: RecordHooks) -> None:
        started.set()
        release.wait(5)
        h.on("validate", lambda event: {"title": "checked"})

    hooks.on_first_use(register)
    results: dict[str, dict[str, str]] = {}
    first = threading.Thread(target=lambda: results.update(first=hooks.validate(_event())))
    first.start()
    started.wait(5)
    # When a second thread validates while the first is still registering
    second = threading.Thread(target=lambda: results.update(second=hooks.validate(_event())))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    # Then both ran the registered hook
    assert results == {"first": {"title": "checked"}, "second": {"title": "checked"}}
