"""The local stream mapping follows its declaration as Lambda does: batch size, batching window, bisection on
function error, retries, partial batch responses, maximum record age and the on-failure queue."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import msgspec
import pytest

from local import cloud, pollers
from local.pollers import StreamPoller
from shared import resources
from shared.aws import client

TABLE = resources.RECORDS_TABLE.physical_name


def _mapping(**changes: Any) -> resources.EventSourceDef:
    declared = next(s for s in resources.EVENT_SOURCES if s.kind == "table_stream")
    return msgspec.structs.replace(declared, **{"max_batching_window_s": 0, **changes})


def _write(*keys: str) -> None:
    for key in keys:
        client("dynamodb").put_item(TableName=TABLE, Item={"pk": {"S": "r#pbc_1#0"}, "sk": {"S": key}})


def _keys(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["Keys"]["sk"]["S"] for r in event["Records"]]


class Consumer:
    """A stream consumer that fails (raises) on any batch holding a poison key, and keeps what it saw."""

    def __init__(self, poison: str = "poison") -> None:
        self.poison = poison
        self.batches: list[list[str]] = []
        self.handled: list[str] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        keys = _keys(event)
        self.batches.append(keys)
        if self.poison in keys:
            raise RuntimeError("poison record")
        self.handled += keys
        return {"batchItemFailures": []}


def _failures(source: resources.EventSourceDef) -> list[dict[str, Any]]:
    out = client("sqs").receive_message(QueueUrl=cloud.queue_url(source.failure_queue_physical_name),
                                        MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in out.get("Messages", [])]


def test_bisection_isolates_the_poison_record(moto: cloud.MotoCloud) -> None:
    # Given a mapping that bisects on function error, and a batch with one poison record among four
    source = _mapping(retry_attempts=1, bisect_batch_on_function_error=True)
    consumer = Consumer()
    poller = StreamPoller(source, consumer)
    _write("a", "b", "poison", "c")
    # When the poller hands the batch over
    poller.poll_once()
    # Then halves are retried on their own until the poison record is alone, every other record is handled
    # once, and only the poison record's position reaches the failure queue
    assert consumer.batches[:3] == [["a", "b", "poison", "c"], ["a", "b"], ["poison", "c"]]
    assert consumer.handled == ["a", "b", "c"]
    assert consumer.batches.count(["poison"]) == 1 + source.retry_attempts
    [failure] = _failures(source)
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["responseContext"]["functionError"] == "Unhandled"


def test_without_bisection_the_whole_batch_is_retried_then_sent_to_the_failure_queue(moto: cloud.MotoCloud) -> None:
    source = _mapping(retry_attempts=2, bisect_batch_on_function_error=False)
    consumer = Consumer()
    poller = StreamPoller(source, consumer)
    _write("a", "poison")
    poller.poll_once()
    assert consumer.batches == [["a", "poison"]] * 3
    [failure] = _failures(source)
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert failure["requestContext"]["approximateInvokeCount"] == 3


def test_a_partial_batch_response_resumes_from_the_lowest_failed_record(moto: cloud.MotoCloud) -> None:
    # Given a consumer that reports record b as failed the first time it sees it
    seen: list[list[str]] = []

    def consumer(name: str, event: dict[str, Any]) -> Any:
        keys = _keys(event)
        seen.append(keys)
        if len(seen) == 1:
            return {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    poller = StreamPoller(_mapping(), consumer)
    _write("a", "b", "c")
    # When the poller hands the batch over
    poller.poll_once()
    # Then Lambda's checkpoint is before b: a is not delivered again
    assert seen == [["a", "b", "c"], ["b", "c"]]


def test_batches_hold_at_most_the_declared_batch_size(moto: cloud.MotoCloud) -> None:
    consumer = Consumer()
    poller = StreamPoller(_mapping(batch_size=2), consumer)
    _write("a", "b", "c")
    while poller.poll_once():
        pass
    assert consumer.batches == [["a", "b"], ["c"]]


def test_the_batching_window_gathers_records_written_within_it(moto: cloud.MotoCloud) -> None:
    # Given a mapping with a 2 s batching window, and a first record
    consumer = Consumer()
    poller = StreamPoller(_mapping(max_batching_window_s=2), consumer)
    _write("first")
    # When a second record is written while the poller waits within the window
    polling = threading.Thread(target=poller.poll_once)
    polling.start()
    time.sleep(0.5)
    _write("second")
    polling.join()
    # Then both reach the consumer in one batch
    assert consumer.batches == [["first", "second"]]


def test_records_past_the_maximum_age_go_to_the_failure_queue_unprocessed(moto: cloud.MotoCloud) -> None:
    # Given a mapping whose records expire after a second, and a record older than that
    source = _mapping(max_record_age_s=1)
    consumer = Consumer()
    poller = StreamPoller(source, consumer)
    _write("stale")
    time.sleep(2.5)
    # When the poller reads it
    poller.poll_once()
    # Then the consumer never sees it, and the failure queue says why
    assert consumer.batches == []
    [failure] = _failures(source)
    assert failure["requestContext"]["condition"] == "RecordAgeExceeded"


def _kept_on_the_stream() -> list[str]:
    """The sort keys a reader from the trim horizon still finds on the records stream."""
    streams = client("dynamodbstreams")
    arn = client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return [r["dynamodb"]["Keys"]["sk"]["S"] for r in records]


def test_records_every_mapping_read_are_forgotten_but_the_newest(moto: cloud.MotoCloud,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two mappings on the records stream, as the changes and realtime fan-out functions have
    monkeypatch.setattr(pollers, "READ_RECORDS_KEPT", 10)
    monkeypatch.setattr(pollers, "READ_RECORDS_TRIM_STEP", 5)
    first, second = Consumer(), Consumer()
    a, b = StreamPoller(_mapping(), first), StreamPoller(_mapping(), second)
    readers = pollers.StreamReaders(TABLE, [a, b])
    a.readers = b.readers = readers
    written = [f"k{i:03}" for i in range(40)]
    _write(*written)
    # When only the first has read them, Then all are kept: the second still needs them
    a.poll_once()
    assert first.handled == written and _kept_on_the_stream() == written
    # When the second has read them too, Then only the newest 10 are kept, and each mapping got every record once
    b.poll_once()
    assert second.handled == written
    assert _kept_on_the_stream() == written[-10:]
    # and both read on from where they were
    _write("k040")
    a.poll_once()
    b.poll_once()
    assert first.handled[-1] == second.handled[-1] == "k040" and len(first.handled) == len(second.handled) == 41
