"""The local stack's emulation on moto: resources, stream and queue pollers, TTL sweeper, snapshots."""

from __future__ import annotations

import itertools
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from local import cloud, snapshot
from local.invoke import invoke
from local.pollers import QueuePoller, StreamPoller
from local.ttl import sweep_expired
from shared import resources
from shared.aws import client
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records


class Recorder:
    """Wraps the real invoke and keeps every batch handed to each function."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], Any]] = []
        self.seen = threading.Event()

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        result = invoke(name, event)
        self.calls.append((name, event, result))
        self.seen.set()
        return result

    def wait_for(self, name: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [e for n, e, _ in self.calls if n == name]
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{name} was never invoked")


def _source(kind: str) -> resources.EventSourceDef:
    return next(s for s in resources.EVENT_SOURCES if s.kind == kind)


def test_resources_match_the_definitions(moto: cloud.MotoCloud) -> None:
    ddb = client("dynamodb")
    for table in resources.TABLES:
        desc = ddb.describe_table(TableName=table.physical_name)["Table"]
        assert {g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])} == {i.name for i in table.indexes}
        assert bool(desc.get("StreamSpecification", {}).get("StreamEnabled")) == table.stream
        if table.ttl_attribute:
            ttl = ddb.describe_time_to_live(TableName=table.physical_name)["TimeToLiveDescription"]
            assert ttl["AttributeName"] == table.ttl_attribute
    for q in resources.QUEUES:
        attrs = client("sqs").get_queue_attributes(QueueUrl=cloud.queue_url(q.physical_name),
                                                   AttributeNames=["RedrivePolicy"])["Attributes"]
        assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].endswith(q.dlq_physical_name)
    client("s3").head_bucket(Bucket=resources.FILES_BUCKET.physical_name)


def test_record_change_flows_stream_to_eventbridge_to_queue(moto: cloud.MotoCloud) -> None:
    # Given pollers for the records stream and the events queue, feeding the real consumers
    recorder = Recorder()
    stream = StreamPoller(_source("table_stream"), recorder)
    queue = QueuePoller(_source("queue"), recorder)
    stream.start()
    queue.start()
    try:
        # When a record item of a collection is written
        from shared.catalog.collections_admin import CollectionsAdmin
        from shared.catalog.repository import DynamoCollectionRepository

        posts = CollectionsAdmin(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                                 dynamo_records()).create(
            {"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]})
        client("dynamodb").put_item(TableName=resources.RECORDS_TABLE.physical_name, Item={
            "pk": {"S": f"r#{posts.id}#3"}, "sk": {"S": "abc123def456ghi"}, "c": {"S": posts.id}, "v": {"N": "1"}})
        # Then the change consumer gets a Lambda-shaped DynamoDB stream batch
        deadline = time.monotonic() + 10
        while not (records := [r for b in recorder.wait_for("changes") for r in b["Records"]
                               if r["dynamodb"]["Keys"]["sk"] == {"S": "abc123def456ghi"}]):
            assert time.monotonic() < deadline, "the record's change never reached the consumer"
            time.sleep(0.05)
        record = records[0]
        assert record["eventName"] == "INSERT"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventSourceARN"].startswith("arn:aws:dynamodb:")
        assert record["dynamodb"]["Keys"]["sk"] == {"S": "abc123def456ghi"}
        assert "NewImage" in record["dynamodb"]
        # And the event it published reaches the queue consumer as an SQS batch, and is deleted
        sqs_batch = recorder.wait_for("deliveries")[0]
        message = sqs_batch["Records"][0]
        assert message["eventSource"] == "aws:sqs"
        detail = json.loads(message["body"])["detail"]
        assert json.loads(message["body"])["detail-type"] == "record.created"
        assert detail["subject"] == "abc123def456ghi" and detail["data"]["record"]["collectionName"] == "posts"
        assert all(not (r or {}).get("batchItemFailures") for n, _, r in recorder.calls)
    finally:
        stream.stop()
        queue.stop()


def test_queue_poller_leaves_failed_messages_for_redrive(moto: cloud.MotoCloud) -> None:
    # Given a consumer that reports the one message it got as failed
    def failing(name: str, event: dict[str, Any]) -> Any:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    url = cloud.queue_url(resources.EVENTS_QUEUE.physical_name)
    client("sqs").send_message(QueueUrl=url, MessageBody="{}")
    poller = QueuePoller(_source("queue"), failing)
    # When the poller runs once
    assert poller.poll_once() is True
    # Then the message was not deleted: it is in flight, waiting for its visibility timeout
    attrs = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"


def test_ttl_sweeper_deletes_only_expired_items(moto: cloud.MotoCloud) -> None:
    table = resources.SYSTEM_TABLE.physical_name
    now = int(time.time())
    for key, ttl in (("old", now - 10), ("new", now + 3600)):
        client("dynamodb").put_item(TableName=table, Item={"pk": {"S": key}, "sk": {"S": "x"},
                                                           "ttl": {"N": str(ttl)}})
    assert sweep_expired() == 1
    left = client("dynamodb").scan(TableName=table)["Items"]
    assert [i["pk"]["S"] for i in left] == ["new"]


def test_snapshot_survives_a_new_cloud(tmp_path: Path) -> None:
    # Given data in a table and a bucket, saved to the data folder
    with running_cloud():
        client("dynamodb").put_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                    Item={"pk": {"S": "k"}, "sk": {"S": "s"}, "v": {"N": "42"}})
        client("s3").put_object(Bucket=resources.FILES_BUCKET.physical_name, Key="a/b.txt", Body=b"hello",
                                ContentType="text/plain")
        snapshot.save(tmp_path)
    # When a brand-new moto restores it
    with running_cloud():
        assert snapshot.restore(tmp_path) == 2
        # Then both come back unchanged
        item = client("dynamodb").get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                           Key={"pk": {"S": "k"}, "sk": {"S": "s"}})["Item"]
        assert item["v"] == {"N": "42"}
        obj = client("s3").get_object(Bucket=resources.FILES_BUCKET.physical_name, Key="a/b.txt")
        assert obj["Body"].read() == b"hello" and obj["ContentType"] == "text/plain"


def test_the_state_stamp_moves_with_every_table_write_and_bucket_change(moto: cloud.MotoCloud) -> None:
    # Given the stamp of an untouched cloud
    s3, bucket = client("s3"), resources.FILES_BUCKET.physical_name
    stamps = [snapshot.state_stamp()]
    # When nothing changes, then the stamp stays (the periodic snapshot is skipped)
    assert snapshot.state_stamp() == stamps[0]
    # When a table is written, an object put, put again over itself, copied and deleted
    client("dynamodb").put_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                Item={"pk": {"S": "k"}, "sk": {"S": "s"}})
    stamps.append(snapshot.state_stamp())
    for _ in range(2):
        s3.put_object(Bucket=bucket, Key="a.txt", Body=b"one")
        stamps.append(snapshot.state_stamp())
    s3.copy_object(Bucket=bucket, Key="a.txt", CopySource={"Bucket": bucket, "Key": "a.txt"},
                   Metadata={"x": "1"}, MetadataDirective="REPLACE")
    stamps.append(snapshot.state_stamp())
    s3.delete_object(Bucket=bucket, Key="a.txt")
    stamps.append(snapshot.state_stamp())
    # Then each of them moved it (the delete back to the stamp of the same state, no object)
    assert all(a != b for a, b in itertools.pairwise(stamps)) and stamps[-1] == stamps[1]


def test_pollers_skip_moto_while_their_source_cannot_have_anything(moto: cloud.MotoCloud) -> None:
    # Given a stream poller and a queue poller whose calls to moto are counted
    calls: list[str] = []
    events = client("sqs").meta.events, client("dynamodbstreams").meta.events
    for emitter in events:
        emitter.register("after-call", lambda model, **_: calls.append(model.name), unique_id="count-poller-calls")
    stream = StreamPoller(_source("table_stream"), lambda *_: None)
    queue = QueuePoller(_source("queue"), lambda *_: None)
    try:
        stream.poll_once()  # the first empty poll reads the shards once
        calls.clear()
        # When the queue is empty and only another table is written
        client("dynamodb").put_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                    Item={"pk": {"S": "k"}, "sk": {"S": "s"}})
        busy = stream.poll_once(), queue.poll_once()
        # Then neither asked moto anything
        assert busy == (False, False) and calls == []
        # And once a message is sent, the queue poller receives it
        client("sqs").send_message(QueueUrl=cloud.queue_url(queue.queue.physical_name), MessageBody="{}")
        assert queue.poll_once() is True and "ReceiveMessage" in calls
    finally:
        for emitter in events:
            emitter.unregister("after-call", unique_id="count-poller-calls")


def test_snapshots_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    # Given a data folder that already exists with open permissions, and an auth-like item to save
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    with running_cloud():
        client("dynamodb").put_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                    Item={"pk": {"S": "k"}, "sk": {"S": "s"}, "hash": {"S": "$argon2id$..."}})
        client("s3").put_object(Bucket=resources.FILES_BUCKET.physical_name, Key="f.txt", Body=b"x")
        # When the stack snapshots it
        snapshot.save(data)
    # Then every folder is 0700 and every file 0600: snapshots hold password hashes and emails
    for path in [data, *data.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_stream_poller_survives_a_rolled_back_transaction(moto: cloud.MotoCloud) -> None:
    # Given a stream poller and a transaction that fails its condition (moto rolls back by swapping the table)
    recorder = Recorder()
    stream = StreamPoller(_source("table_stream"), recorder)
    ddb = client("dynamodb")
    table = resources.RECORDS_TABLE.physical_name
    ddb.put_item(TableName=table, Item={"pk": {"S": "u#claim"}, "sk": {"S": "u"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "r#pbc_1#0"}, "sk": {"S": "a"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "u#claim"}, "sk": {"S": "u"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
    # When a record is written afterwards
    ddb.put_item(TableName=table, Item={"pk": {"S": "r#pbc_1#0"}, "sk": {"S": "after"}, "c": {"S": "pbc_1"}})
    stream.poll_once()
    # Then the consumer sees that write, and nothing of the rolled-back one
    keys_seen = [r["dynamodb"]["Keys"]["sk"]["S"] for _, e, _ in recorder.calls for r in e["Records"]]
    assert "after" in keys_seen and "a" not in keys_seen
