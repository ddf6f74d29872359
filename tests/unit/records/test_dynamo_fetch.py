"""Records read by key (shared.records.dynamo_fetch): chunks of 100 sent at once, unprocessed keys resent."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from shared.errors import ServiceUnavailableError
from shared.records import dynamo_fetch, keys
from shared.records.model import ReadMeter


class FakeDynamo:
    """Stores records of one collection; each call leaves its first `refuse_first` keys unprocessed while
    refusals last."""

    def __init__(self, ids: list[str], refuse_first: int = 0, refusals: int = 0) -> None:
        self.items = {(k["pk"]["S"], k["sk"]["S"]): {**k, "c": {"S": "c1"}, "d": {"M": {"f": {"S": i}}},
                                                     "v": {"N": "1"}}
                      for i in ids for k in [keys.record_key("c1", i, 2)]}
        self.refuse_first = refuse_first
        self.refusals = refusals
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, request), = RequestItems.items()
        with self.lock:
            self.calls.append(len(request["Keys"]))
            refused = request["Keys"][:self.refuse_first] if self.refusals else []
            self.refusals = max(0, self.refusals - 1)
        found = [self.items[(k["pk"]["S"], k["sk"]["S"])] for k in request["Keys"][len(refused):]
                 if (k["pk"]["S"], k["sk"]["S"]) in self.items]
        unprocessed = {table: {**request, "Keys": refused}} if refused else {}
        return {"Responses": {table: found}, "UnprocessedKeys": unprocessed}


def ids(count: int) -> list[str]:
    return [f"{i:015d}" for i in range(count)]


def test_keys_go_in_chunks_of_100_at_once_and_missing_ones_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 240 stored records
    fake = FakeDynamo(ids(240))
    monkeypatch.setattr(dynamo_fetch, "client", lambda _: fake)
    meter = ReadMeter()
    # When 250 keys are fetched (10 of records that do not exist)
    found = dynamo_fetch.fetch_records("t", [keys.record_key("c1", i, 2) for i in ids(250)], meter,
                                       consistent=False, backoff=lambda _: None)
    # Then every stored record comes back, in calls of at most 100, metered as one round trip
    assert sorted(r.id for r in found.values()) == ids(240)
    assert sorted(fake.calls) == [50, 100, 100]
    assert (meter.items_read, meter.requests, meter.round_trips) == (240, 3, 1)


def test_unprocessed_keys_are_resent_after_a_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a table that leaves 10 keys unprocessed twice
    fake = FakeDynamo(ids(30), refuse_first=10, refusals=2)
    monkeypatch.setattr(dynamo_fetch, "client", lambda _: fake)
    pauses: list[int] = []
    meter = ReadMeter()
    # When 30 keys are fetched
    found = dynamo_fetch.fetch_records("t", [keys.record_key("c1", i, 2) for i in ids(30)], meter,
                                       consistent=True, backoff=pauses.append)
    # Then all 30 come back after two resends, each after a pause, and every request is metered
    assert len(found) == 30
    assert fake.calls == [30, 10, 10]
    assert pauses == [0, 1]
    assert (meter.requests, meter.round_trips) == (3, 3)


def test_keys_still_unprocessed_after_every_retry_answer_503(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a table that keeps refusing a key
    fake = FakeDynamo(ids(3), refuse_first=1, refusals=10**6)
    monkeypatch.setattr(dynamo_fetch, "client", lambda _: fake)
    # When the keys are fetched, Then the read gives up with a 503 after the last attempt
    with pytest.raises(ServiceUnavailableError):
        dynamo_fetch.fetch_records("t", [keys.record_key("c1", i, 2) for i in ids(3)], ReadMeter(), consistent=True,
                                   backoff=lambda _: None)
    assert len(fake.calls) == dynamo_fetch.MAX_GET_ATTEMPTS
