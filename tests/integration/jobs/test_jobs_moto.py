"""The jobs function on moto: the collections logic queues a job, the real handler runs it from SQS step by step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from local.invoke import invoke
from local.pollers import QueuePoller
from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository, StoredCollection
from shared.jobs import index_build, truncate
from shared.jobs.checkpoints import DynamoCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.messages import IndexBuildMessage
from shared.jobs.queue import SqsJobQueue
from shared.records import keys
from shared.records.importer import import_records
from shared.records.model import ReadMeter
from shared.records.planner import Plan
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

FIELDS = [{"name": "code", "type": "text"}, {"name": "n", "type": "number"}]
ROWS = [{"code": f"c{i:02d}", "n": i % 5} for i in range(30)]
SOURCE = next(s for s in resources.EVENT_SOURCES if s.function == "jobs")


class World:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
        self.checkpoints = DynamoCheckpointStore(resources.SYSTEM_TABLE.physical_name)
        self.ctx = JobContext(self.collections, self.records, SqsJobQueue(resources.JOBS_QUEUE.physical_name),
                              self.checkpoints)
        self.service = CollectionsAdmin(self.collections, self.records, self.ctx, settle_s=0)
        self.results: list[Any] = []
        self.poller = QueuePoller(SOURCE, self._invoke)

    def _invoke(self, name: str, event: dict[str, Any]) -> Any:
        result = invoke(name, event)
        self.results.append(result)
        return result

    def run_jobs(self) -> int:
        """Poll the jobs queue like the event source mapping until it is empty; returns the batches handled."""
        batches = 0
        while self.poller.poll_once():
            batches += 1
            assert batches < 50, "the job never ended"
        return batches

    def set_indexes(self, *indexes: str) -> None:
        fields = self.service.get("items").collection.to_api_json()["fields"]
        self.service.update("items", {"fields": fields, "indexes": list(indexes)})

    def stored(self) -> StoredCollection:
        """As stored now: the jobs function saved it through its own repository, past this one's cache."""
        self.collections.invalidate()
        return self.collections.get("items")

    def state(self, name: str) -> str:
        index = self.stored().layout.by_name(name)
        assert index is not None
        return index.state

    def by_index(self, name: str, value: Any) -> int:
        stored = self.stored()
        index = stored.layout.by_name(name)
        assert index is not None and index.slot is not None
        plan = Plan(kind="index", description="test", collection_id=stored.collection.id, index=index,
                    partition=keys.index_pk(stored.collection.id, index.slot, value))
        return sum(1 for _ in self.records.query(plan, ReadMeter(), want=100))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(index_build, "CHUNK_RECORDS", 8)
    with running_cloud():
        w = World()
        w.service.create({"name": "items", "type": "base", "fields": FIELDS})
        import_records(w.collections, w.records, "items", ROWS)
        yield w


def test_the_handler_backfills_a_new_index_in_chunks_then_marks_it_ready(world: World) -> None:
    # When an index is added to the collection of 30 records
    world.set_indexes("CREATE INDEX idx_n ON items (n)", "CREATE UNIQUE INDEX idx_code ON items (code)")
    assert (world.state("idx_n"), world.state("idx_code")) == ("building", "building")
    # Then the jobs function, fed from SQS, takes 4 steps of 8 records and marks both indexes ready
    assert world.run_jobs() == 4
    assert all(r == {"batchItemFailures": []} for r in world.results)
    assert (world.state("idx_n"), world.state("idx_code")) == ("ready", "ready")
    assert world.by_index("idx_n", 3) == 6
    job_items = [i for i in client("dynamodb").scan(TableName=resources.SYSTEM_TABLE.physical_name)["Items"]
                 if i["pk"]["S"].startswith("job#")]
    assert [json.loads(i["doc"]["S"])["done"] for i in job_items] == [True]
    assert "ttl" in job_items[0]


def test_a_redelivered_message_changes_nothing(world: World) -> None:
    world.set_indexes("CREATE INDEX idx_n ON items (n)")
    world.run_jobs()
    (job_item,) = [i for i in client("dynamodb").scan(TableName=resources.SYSTEM_TABLE.physical_name)["Items"]
                   if i["pk"]["S"].startswith("job#")]
    job_id = json.loads(job_item["doc"]["S"])["job_id"]
    collection_id = world.collections.get("items").collection.id
    # When step 1 arrives again
    world.ctx.queue.send(IndexBuildMessage(job_id=job_id, collection_id=collection_id, step=1))
    assert world.run_jobs() == 1
    # Then it is handled without error, and nothing new is queued
    assert world.results[-1] == {"batchItemFailures": []}
    assert world.run_jobs() == 0


def _sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": "r", "body": body,
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
            "eventSource": "aws:sqs", "eventSourceARN": "arn", "awsRegion": "us-east-1"}


def test_a_message_that_is_no_job_is_reported_as_failed(world: World) -> None:
    # Given a batch of a job message for an unknown job (a no-op) and a body that is no job message
    unknown = IndexBuildMessage(job_id="gone", collection_id="x").model_dump_json()
    event = {"Records": [_sqs_record("ok", unknown), _sqs_record("bad", json.dumps({"kind": "nope"}))]}
    # Then only the bad one is reported, so that only it is retried and ends in the DLQ
    assert invoke("jobs", event) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    # And a batch of only bad messages fails as a whole, as Powertools does
    with pytest.raises(BatchProcessingError):
        invoke("jobs", {"Records": [_sqs_record("bad", "{}")]})


def test_a_large_truncate_finishes_in_the_job(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(truncate, "TRUNCATE_SYNC_RECORDS", 10)
    monkeypatch.setattr(truncate, "TRUNCATE_CHUNK_RECORDS", 10)
    cid = world.collections.get("items").collection.id
    world.service.truncate("items")
    assert sum(1 for _ in world.records.scan(cid, ReadMeter())) == 20
    world.run_jobs()
    assert list(world.records.scan(cid, ReadMeter())) == []
