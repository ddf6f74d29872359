"""moto bounded where AWS is, or where the local stack must not grow: memory it never frees, and a size limit.

- moto keeps every model instance it ever built (items, stream records, shard iterators, table copies) in a
  class-level list for its dashboard; only SES messages are kept (the mail tests read them).
- moto remembers every SQS message's deleted receipt handle, to make a repeated delete a no-op: only the newest
  are kept.
- EventBridge refuses a PutEvents request over 256 KB; moto accepts any size.

Installed by `local.moto_patches.install()`, under its lock.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

DELETED_RECEIPTS_KEPT = 10_000
TRACKED_SERVICES = frozenset({"ses"})


class NewestOnly(OrderedDict):
    """A dict that forgets its oldest entries past a size, as AWS expires shard iterators."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.limit:
            self.popitem(last=False)


class _RecentSet(OrderedDict):
    """The set operations moto's SQS uses on a queue's deleted receipt handles, remembering only the newest."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def update(self, values: Any = (), **_: Any) -> None:  # type: ignore[override]
        for value in values:
            self[value] = None
            self.move_to_end(value)
        while len(self) > self.limit:
            self.popitem(last=False)


def bound_queues() -> None:
    """Keep only a queue's newest deleted receipt handles."""
    from moto.sqs.models import Queue

    original_init = Queue.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        # moto remembers every deleted message's receipt handle forever, to make a repeated delete a no-op
        self.deleted_messages = _RecentSet(DELETED_RECEIPTS_KEPT)

    Queue.__init__ = init  # type: ignore[method-assign]


def cap_put_events() -> None:
    """EventBridge refuses a PutEvents request whose entries total over 256 KB (its own size calculation,
    shared/events/entry_size.py) as a whole, with this ValidationException; moto accepts any size."""
    from moto.events.exceptions import ValidationException
    from moto.events.models import EventsBackend

    from shared.events.entry_size import PUT_EVENTS_MAX_BYTES, entry_size

    original = EventsBackend.put_events

    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if sum(entry_size(e) for e in events) > PUT_EVENTS_MAX_BYTES:
            raise ValidationException("Total size of the entries in the request is over the limit.")
        return original(self, events)

    EventsBackend.put_events = put_events  # type: ignore[method-assign]


def track_few_instances() -> None:
    """Keep moto's instance list for its dashboard only for the services whose tests read it."""
    from moto.core.common_models import BaseModel

    def new(cls: Any, *args: Any, **kwargs: Any) -> Any:
        instance = object.__new__(cls)
        if cls.__module__.split(".")[1] in TRACKED_SERVICES:
            cls.instances_tracked.append(instance)
        return instance

    BaseModel.__new__ = staticmethod(new)  # type: ignore[method-assign]
