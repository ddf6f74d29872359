"""How the DynamoDB repository explains and retries failed writes, against a fake client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.records import dynamo_repository as dynamo
from shared.records import keys
from shared.records.model import RecordConflictError, RecordWrite, StorageContentionError, StoredRecord


class _Exceptions:
    class TransactionCanceledException(ClientError):
        pass

    class TransactionInProgressException(ClientError):
        pass

    class ConditionalCheckFailedException(ClientError):
        pass


def _cancelled(*codes: str) -> ClientError:
    response: Any = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                     "CancellationReasons": [{"Code": c} for c in codes]}
    return _Exceptions.TransactionCanceledException(response, "TransactWriteItems")


class FakeDynamo:
    exceptions = _Exceptions

    def __init__(self, failures: list[ClientError]) -> None:
        self.failures = failures
        self.tokens: list[str] = []

    def transact_write_items(self, TransactItems: list[Any], ClientRequestToken: str) -> dict[str, Any]:
        self.tokens.append(ClientRequestToken)
        if self.failures:
            raise self.failures.pop(0)
        return {}


def _create_with_claim() -> RecordWrite:
    return RecordWrite(kind="create", record=StoredRecord("c1", "rec000000000001", {"f": 1}), claims=["u#c1#idx#h"])


def _repo(fake: FakeDynamo, monkeypatch: pytest.MonkeyPatch) -> dynamo.DynamoRecordRepository:
    monkeypatch.setattr(dynamo, "client", lambda _: fake)
    return dynamo.DynamoRecordRepository("t", shards=keys.fixed_shards(2), sleep=lambda _: None)


def test_a_transaction_conflict_is_retried_with_the_same_request_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given DynamoDB cancels the transaction twice for conflicts with other in-flight transactions
    fake = FakeDynamo([_cancelled("None", "TransactionConflict"), _cancelled("TransactionConflict", "None")])
    # When a record with a claim is written
    _repo(fake, monkeypatch).write([_create_with_claim()])
    # Then it is retried until it commits, always with the same token, so a commit is never applied twice
    assert len(fake.tokens) == 3 and len(set(fake.tokens)) == 1


def test_endless_conflicts_become_a_contention_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeDynamo([_cancelled("TransactionConflict", "None") for _ in range(dynamo.MAX_WRITE_ATTEMPTS)])
    with pytest.raises(StorageContentionError):
        _repo(fake, monkeypatch).write([_create_with_claim()])


@pytest.mark.parametrize(("codes", "ids_taken", "claims_taken"), [
    (("ConditionalCheckFailed", "None"), [("c1", "rec000000000001")], []),
    (("None", "ConditionalCheckFailed"), [], ["u#c1#idx#h"]),
])
def test_a_failed_condition_says_what_conflicted(monkeypatch: pytest.MonkeyPatch, codes: tuple[str, ...],
                                                 ids_taken: list[Any], claims_taken: list[str]) -> None:
    fake = FakeDynamo([_cancelled(*codes)])
    with pytest.raises(RecordConflictError) as conflict:
        _repo(fake, monkeypatch).write([_create_with_claim()])
    assert conflict.value.ids_taken == ids_taken
    assert conflict.value.claims_taken == claims_taken
    assert len(fake.tokens) == 1  # a real conflict is never retried


class ThrottledDynamo:
    exceptions = _Exceptions

    def get_item(self, **_: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "GetItem")

    def query(self, **_: Any) -> dict[str, Any]:
        return self.get_item()


def test_throttling_that_outlasts_the_sdk_retries_is_a_503_not_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.errors import ServiceUnavailableError
    from shared.records.model import ReadMeter
    from shared.records.planner import Plan

    monkeypatch.setattr(dynamo, "client", lambda _: ThrottledDynamo())
    repo = dynamo.DynamoRecordRepository("t", shards=keys.fixed_shards(2))
    with pytest.raises(ServiceUnavailableError) as busy:
        repo.get("c1", "rec000000000001", ReadMeter())
    assert busy.value.status == 503 and busy.value.headers["Retry-After"] == "1"
    with pytest.raises(ServiceUnavailableError):
        list(repo.query(Plan(kind="scan", description="all", collection_id="c1"), ReadMeter(), want=10))
