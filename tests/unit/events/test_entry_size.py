"""PutEvents batches sized as EventBridge counts entries: within 10 entries and 256 KB a request."""

from __future__ import annotations

import pytest

from shared.events.entry_size import PUT_EVENTS_MAX_BYTES, EntryTooLargeError, byte_batches, entry_size


def entry(detail_bytes: int, *, time: bool = False) -> dict[str, object]:
    out: dict[str, object] = {"Source": "lambdabase.records", "DetailType": "record.created",
                              "Detail": "x" * detail_bytes, "EventBusName": "not-counted"}
    if time:
        out["Time"] = "2026-12-01T00:00:00Z"
    return out


def test_entry_size_follows_eventbridges_calculation() -> None:
    # Given an entry with a time, resources and a multi-byte detail
    sized = {"Time": "t", "Source": "s", "DetailType": "dt", "Detail": "é", "Resources": ["ab", "c"]}
    # Then it counts 14 for Time and the UTF-8 bytes of the rest, never the bus name
    assert entry_size(sized) == 14 + 1 + 2 + 2 + 3
    assert entry_size(entry(10)) == len("lambdabase.records") + len("record.created") + 10


def test_ten_30_kb_entries_make_two_requests_within_the_cap() -> None:
    # Given ten entries of about 30 KB (the old publisher sent them in one call, which EventBridge refuses)
    entries = [entry(30 * 1024) for _ in range(10)]
    # When they are batched
    batches = list(byte_batches(entries))
    # Then each request is within 256 KB, order is kept and nothing is left out
    assert [len(b) for b in batches] == [8, 2]
    assert all(sum(entry_size(e) for e in b) <= PUT_EVENTS_MAX_BYTES for b in batches)
    assert [e for b in batches for e in b] == entries


def test_small_entries_go_ten_a_request() -> None:
    assert [len(b) for b in byte_batches([entry(100) for _ in range(23)])] == [10, 10, 3]


def test_one_entry_over_the_cap_is_refused_rather_than_sent() -> None:
    with pytest.raises(EntryTooLargeError):
        list(byte_batches([entry(PUT_EVENTS_MAX_BYTES)]))
