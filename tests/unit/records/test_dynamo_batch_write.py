"""The DynamoDB repository's BatchWriteItem chunking and retry of unprocessed items, on a fake client."""

from __future__ import annotations

from typing import Any

import pytest

from shared import dynamo_batch
from shared.records import dynamo_repository as dynamo
from shared.records import keys
from shared.records.model import RecordWrite, StoredRecord
from shared.records.repository import BulkWriteError


class FakeDynamo:
    """Accepts every write except, each call, the first `refuse_first` items, which come back unprocessed."""

    def __init__(self, refuse_first: int, refusals: int) -> None:
        self.refuse_first = refuse_first
        self.refusals = refusals
        self.calls: list[int] = []
        self.written: list[Any] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        (table, requests), = RequestItems.items()
        self.calls.append(len(requests))
        refused = requests[:self.refuse_first] if self.refusals else []
        self.refusals = max(0, self.refusals - 1)
        self.written.extend(requests[len(refused):])
        return {"UnprocessedItems": {table: refused} if refused else {}}


def creates(count: int) -> list[RecordWrite]:
    return [RecordWrite(kind="create", record=StoredRecord("c1", f"{i:015d}", {"f": i})) for i in range(count)]


def test_writes_go_in_chunks_of_25_and_unprocessed_items_are_resent_after_a_backoff(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a table that leaves 5 items unprocessed twice
    fake = FakeDynamo(refuse_first=5, refusals=2)
    monkeypatch.setattr(dynamo_batch, "client", lambda _: fake)
    sleeps: list[float] = []
    # When 60 records are imported without unique indexes
    repository = dynamo.DynamoRecordRepository("t", shards=keys.fixed_shards(2), sleep=sleeps.append)
    repository.import_records(creates(60), conditional=False)
    # Then every item is written once, in calls of at most 25, with a pause before each resend
    assert sorted(int(p["PutRequest"]["Item"]["sk"]["S"]) for p in fake.written) == list(range(60))
    assert fake.calls == [25, 5, 5, 25, 10]
    assert len(sleeps) == 2 and all(0 <= s <= dynamo_batch.BACKOFF_CAP_S for s in sleeps)


def test_items_still_unprocessed_after_every_retry_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeDynamo(refuse_first=1, refusals=10**6)
    monkeypatch.setattr(dynamo_batch, "client", lambda _: fake)
    with pytest.raises(BulkWriteError):
        dynamo.DynamoRecordRepository("t", shards=keys.fixed_shards(2), sleep=lambda _: None).import_records(
            creates(3), conditional=False)
    assert len(fake.calls) == dynamo_batch.MAX_WRITE_ATTEMPTS
