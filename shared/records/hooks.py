"""The one seam for side effects of record writes: in-process hooks, modelled on PocketBase's record hooks.

The composition root registers hooks; records never import the features that react to them. Phases:
- `validate`: runs with the record's own validation, returns extra field errors (merged into one 400);
- `before`: runs after rules and validation, before the write; raise an ApiError to cancel the request;
- `after`: runs once the write is committed; a failure there is logged and must not fail the request, since
  the write has happened (retryable work belongs on the change stream instead);
- `failed`: runs when a write whose `before` hooks ran is not committed (a conflict, a failed transaction, a
  later batch request refused): undoes what `before` did outside the table (uploaded files); failures logged.
See docs/hooks.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal

import msgspec

from shared.collections.model import Collection
from shared.observability import logger
from shared.records.context import RequestContext
from shared.records.model import RecordWrite, StoredRecord

Action = Literal["create", "update", "delete"]
Phase = Literal["validate", "before", "after", "failed"]


class RecordEvent(msgspec.Struct):
    """What a hook sees: the action, the collection, the record as it will be (or was) written, and the request."""

    action: Action
    collection: Collection
    record: StoredRecord
    # the stored record before the change (update, delete)
    existing: StoredRecord | None
    request: RequestContext
    # the submitted body (create, update), as sent
    body: dict[str, Any] = msgspec.field(default_factory=dict)
    # the storage change, for after hooks (which fields changed)
    write: RecordWrite | None = None


ValidateHook = Callable[[RecordEvent], dict[str, Any]]
Hook = Callable[[RecordEvent], None]


class _Registration(msgspec.Struct):
    phase: Phase
    actions: frozenset[str]
    collections: frozenset[str]
    fn: Callable[[RecordEvent], Any]

    def applies(self, phase: Phase, event: RecordEvent) -> bool:
        return (phase == self.phase and event.action in self.actions
                and (not self.collections or bool({event.collection.id, event.collection.name} & self.collections)))


class RecordHooks:
    """Registered hooks, run in registration order."""

    def __init__(self) -> None:
        self._hooks: list[_Registration] = []
        # Registrars not run yet (`on_first_use`), and the lock that runs them once when two threads ask at once.
        self._pending: list[Callable[[RecordHooks], None]] = []
        self._registering = False
        self._lock = threading.RLock()

    def on(self, phase: Phase, fn: Callable[[RecordEvent], Any], *, actions: tuple[Action, ...] = (
            "create", "update", "delete"), collections: tuple[str, ...] = ()) -> None:
        """Register `fn` for a phase, for some actions and (by id or name) some collections; all by default."""
        self._registrations().append(_Registration(phase, frozenset(actions), frozenset(collections), fn))

    def on_first_use(self, register: Callable[[RecordHooks], None]) -> None:
        """Call `register(self)` just before hooks are next run or registered, in the order it was asked for.

        The composition root registers the features this way: a cold start that only reads never imports them
        (every phase is a write's), and the first write sees exactly the hooks an eager registration made.
        """
        with self._lock:
            self._pending.append(register)

    def _registrations(self) -> list[_Registration]:
        if self._pending or self._registering:  # another thread registering: wait for all of its hooks
            with self._lock:
                # A registrar's own `on` calls land here too (same thread, reentrant): they append, in order.
                if self._pending and not self._registering:
                    # `_registering` before `_pending` empties: a thread that reads neither under the lock must
                    # never see both unset while the hooks are half registered
                    self._registering = True
                    pending, self._pending = self._pending, []
                    registered = len(self._hooks)
                    try:
                        for register in pending:
                            register(self)
                    except BaseException:
                        # as an eager registration that failed: nothing half-registered, retried next time
                        del self._hooks[registered:]
                        self._pending = pending + self._pending
                        raise
                    finally:
                        self._registering = False
        return self._hooks

    def validate(self, event: RecordEvent) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        for hook in self._registrations():
            if hook.applies("validate", event):
                errors.update(hook.fn(event) or {})
        return errors

    def before(self, event: RecordEvent) -> None:
        for hook in self._registrations():
            if hook.applies("before", event):
                hook.fn(event)

    def after(self, events: list[RecordEvent]) -> None:
        self._run_logged("after", events)

    def failed(self, events: list[RecordEvent]) -> None:
        self._run_logged("failed", events)

    def _run_logged(self, phase: Phase, events: list[RecordEvent]) -> None:
        for event in events:
            for hook in self._registrations():
                if not hook.applies(phase, event):
                    continue
                try:
                    hook.fn(event)
                except Exception:
                    # The write is committed: failing the request now would tell the client it did not happen.
                    logger.exception(f"{phase}-write hook failed", extra={
                        "hook": getattr(hook.fn, "__name__", repr(hook.fn)), "action": event.action,
                        "collection_id": event.collection.id, "record_id": event.record.id})
