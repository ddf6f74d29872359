"""PutEvents batches sized by bytes, as EventBridge counts them, within its 10 entries and 256 KB per request.

EventBridge's own calculation ("Calculating PutEvents event entry size"): 14 bytes for `Time` when given, the
UTF-8 bytes of `Source`, `DetailType`, `Detail` and of each `Resources` entry. A request's entries must total
at most 256 KB. Example: ten 30 KB envelopes make two calls (8 + 2), not one call refused whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

PUT_EVENTS_MAX_ENTRIES = 10
PUT_EVENTS_MAX_BYTES = 256 * 1024
TIME_BYTES = 14


def entry_size(entry: Mapping[str, Any]) -> int:
    """The size EventBridge counts for one PutEventsRequestEntry."""
    size = TIME_BYTES if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        value = entry.get(name)
        if value is not None:
            size += len(str(value).encode())
    return size + sum(len(str(r).encode()) for r in entry.get("Resources") or () if r is not None)


class EntryTooLargeError(ValueError):
    """One entry alone exceeds a PutEvents request: its body should have gone to the payload store."""


def byte_batches(entries: Iterable[Mapping[str, Any]], *, max_bytes: int = PUT_EVENTS_MAX_BYTES,
                 max_entries: int = PUT_EVENTS_MAX_ENTRIES) -> Iterator[list[Mapping[str, Any]]]:
    """Consecutive groups of entries, in order, each one PutEvents request within both limits."""
    batch: list[Mapping[str, Any]] = []
    used = 0
    for entry in entries:
        size = entry_size(entry)
        if size > max_bytes:
            raise EntryTooLargeError(f"an event entry of {size} bytes exceeds the {max_bytes}-byte request cap")
        if batch and (used + size > max_bytes or len(batch) == max_entries):
            yield batch
            batch, used = [], 0
        batch.append(entry)
        used += size
    if batch:
        yield batch
