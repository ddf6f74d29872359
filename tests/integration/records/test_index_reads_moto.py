"""Indexed lists on moto with keys-only GSIs: the page's records are read by key, current, in index order, and
a one-field update writes no GSI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from local import cloud
from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records import keys
from shared.records.context import RequestContext
from shared.records.dynamo_repository import DynamoRecordRepository
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.support.capacity import CapacityMeter
from tests.support.record_stores import dynamo_records

FIELDS = [{"name": "status", "type": "text"}, {"name": "score", "type": "number"},
          {"name": "note", "type": "text"}]
INDEXES = ["CREATE INDEX idx_status_score ON tasks (status, score)"]


class World:
    def __init__(self, records: DynamoRecordRepository | None = None) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = records or dynamo_records()
        CollectionsAdmin(self.collections, self.records).create(
            {"name": "tasks", "type": "base", "fields": FIELDS, "indexes": INDEXES})

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True))

    def create(self, **body: Any) -> str:
        return self.scope().writer.create("tasks", body).record.id

    def page(self, filter_text: str, sort: str = "", per_page: int = 20) -> tuple[list[dict[str, Any]], RecordScope]:
        scope = self.scope()
        out = scope.reader.list_page("tasks", {"filter": filter_text, "sort": sort, "perPage": str(per_page),
                                               "skipTotal": "1"})
        return out["items"], scope


def _table_projecting_all() -> DynamoRecordRepository:
    """A second records table whose GSIs project every attribute, as a deployment built with ALL has."""
    definition = msgspec.structs.replace(
        resources.RECORDS_TABLE, key="records-all",
        indexes=tuple(msgspec.structs.replace(i, projection="ALL") for i in resources.RECORDS_TABLE.indexes))
    cloud.create_table(definition)
    return dynamo_records(definition.physical_name,
                          index_projections={i.name: i.projection for i in definition.indexes})


@pytest.fixture(params=["declared", "ALL"])
def world(request: pytest.FixtureRequest, moto: cloud.MotoCloud) -> Iterator[World]:
    # the same behaviour whichever projection a deployment is built with
    yield World(_table_projecting_all() if request.param == "ALL" else None)


def test_the_records_table_declares_keys_only_gsis() -> None:
    # Given the declared records table, Then every GSI slot projects only keys
    assert {index.projection for index in resources.RECORDS_TABLE.indexes} == {"KEYS_ONLY"}


def test_an_indexed_page_reads_current_records_in_index_order(world: World) -> None:
    # Given open tasks with distinct scores and some closed ones
    ids = {score: world.create(status="open", score=score, note=f"n{score}") for score in (5, 1, 9, 3, 7)}
    world.create(status="closed", score=4)
    # When one record is updated (outside its index keys) and one deleted
    world.scope().writer.update("tasks", ids[9], {"note": "changed"})
    world.scope().writer.delete("tasks", ids[3])
    # Then the indexed page sorted by the next column returns the current records in that order
    items, scope = world.page("status = 'open'", sort="score")
    assert [i["score"] for i in items] == [1, 5, 7, 9]
    assert next(i for i in items if i["score"] == 9)["note"] == "changed"
    assert "index" in " ".join(scope.meter.plans)
    # And keys, when the GSI holds only keys, are metered apart from the records read by them
    projected_all = world.records.index_projections["gsi1"] == "ALL"
    assert (scope.meter.keys_read, scope.meter.items_read) == ((0, 4) if projected_all else (4, 4))


def test_pushed_down_comparisons_hold_on_the_records_read_by_key(world: World) -> None:
    # Given open tasks of scores 0..29
    for score in range(30):
        world.create(status="open", score=score, note="even" if score % 2 == 0 else "odd")
    # When the filter pins the index's first column and compares fields the GSI does not project
    items, _ = world.page("status = 'open' && note = 'odd' && score >= 10", sort="-score", per_page=5)
    # Then only matching records come back, in the index's order, a page long
    assert [i["score"] for i in items] == [29, 27, 25, 23, 21]


def test_a_one_field_update_writes_the_record_alone(world: World) -> None:
    # Given a record in the index's slot
    record_id = world.create(status="open", score=1)
    meter = CapacityMeter()
    # When one field outside the index keys changes
    with meter.attached(client("dynamodb")):
        world.scope().writer.update("tasks", record_id, {"note": "x"})
    # Then one write unit is spent, none of it on GSIs (with ALL, one more: the entry is rewritten)
    projected_all = world.records.index_projections["gsi1"] == "ALL"
    assert (meter.total.wcu, meter.total.wcu_by["gsi"]) == ((2, 1) if projected_all else (1, 0))


def test_an_update_of_an_index_key_moves_the_record_in_the_index(world: World) -> None:
    # Given an open task
    record_id = world.create(status="open", score=2)
    # When its status changes
    world.scope().writer.update("tasks", record_id, {"status": "closed"})
    # Then it leaves the open partition and appears under closed
    assert world.page("status = 'open'")[0] == []
    assert [i["id"] for i in world.page("status = 'closed'")[0]] == [record_id]


def test_a_long_index_partition_is_read_whole_once(world: World) -> None:
    # Given 230 open tasks and a few closed ones
    rows = [{"status": "open", "score": i, "note": "even" if i % 2 == 0 else "odd"} for i in range(230)]
    import_records(world.collections, world.records, "tasks", [*rows, {"status": "closed", "score": 1}])
    # When pages of 100 are listed with a total the counters cannot serve (every candidate is read)
    seen: list[int] = []
    for page in ("1", "2", "3"):
        out = world.scope().reader.list_page("tasks", {"filter": "status = 'open' && note = 'even'",
                                                       "sort": "score", "perPage": "100", "page": page})
        assert out["totalItems"] == 115
        seen.extend(i["score"] for i in out["items"])
    # Then every matching record comes once, in index order
    assert seen == list(range(0, 230, 2))


def test_a_create_writes_only_the_slots_its_collection_declares(world: World) -> None:
    # Given a collection with one index (one GSI slot of five)
    meter = CapacityMeter()
    # When a record is created
    with meter.attached(client("dynamodb")):
        record_id = world.create(status="open", score=1)
    # Then one GSI entry is written, and the item carries no other slot's keys
    assert meter.total.wcu_by["gsi"] == 1
    tasks = world.collections.get("tasks")
    item = client("dynamodb").get_item(TableName=world.records.table, Key=keys.record_key(
        tasks.collection.id, record_id, tasks.layout.shards))["Item"]
    assert sorted(a for a in item if a.startswith("gsi")) == ["gsi1pk", "gsi1sk"]
