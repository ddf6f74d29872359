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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.collections.model import Collection
from shared.observability import logger
from shared.records.context import RequestContext
from shared.records.model import RecordWrite, StoredRecord

Action = Literal["create", "update", "delete"]
Phase = Literal["validate", "before", "after", "failed"]


@dataclass
class RecordEvent:
    """What a hook sees: the action, the collection, the record as it will be (or was) written, and the request."""

    action: Action
    collection: Collection
    record: StoredRecord
    # the stored record before the change (update, delete)
    existing: StoredRecord | None
    request: RequestContext
    # the submitted body (create, update), as sent
    body: dict[str, Any] = field(default_factory=dict)
    # the storage change, for after hooks (which fields changed)
    write: RecordWrite | None = None


ValidateHook = Callable[[RecordEvent], dict[str, Any]]
Hook = Callable[[RecordEvent], None]


@dataclass
class _Registration:
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

    def on(self, phase: Phase, fn: Callable[[RecordEvent], Any], *, actions: tuple[Action, ...] = (
            "create", "update", "delete"), collections: tuple[str, ...] = ()) -> None:
        """Register `fn` for a phase, for some actions and (by id or name) some collections; all by default."""
        self._hooks.append(_Registration(phase, frozenset(actions), frozenset(collections), fn))

    def validate(self, event: RecordEvent) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        for hook in self._hooks:
            if hook.applies("validate", event):
                errors.update(hook.fn(event) or {})
        return errors

    def before(self, event: RecordEvent) -> None:
        for hook in self._hooks:
            if hook.applies("before", event):
                hook.fn(event)

    def after(self, events: list[RecordEvent]) -> None:
        self._run_logged("after", events)

    def failed(self, events: list[RecordEvent]) -> None:
        self._run_logged("failed", events)

    def _run_logged(self, phase: Phase, events: list[RecordEvent]) -> None:
        for event in events:
            for hook in self._hooks:
                if not hook.applies(phase, event):
                    continue
                try:
                    hook.fn(event)
                except Exception:
                    # The write is committed: failing the request now would tell the client it did not happen.
                    logger.exception(f"{phase}-write hook failed", extra={
                        "hook": getattr(hook.fn, "__name__", repr(hook.fn)), "action": event.action,
                        "collection_id": event.collection.id, "record_id": event.record.id})
