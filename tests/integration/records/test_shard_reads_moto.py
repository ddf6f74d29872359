"""Unfiltered lists on moto: the write shards read in parallel rounds give the true page, at about its cost."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from local import cloud
from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import CATALOG_PK, DynamoCollectionRepository
from shared.records import keys
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.support.record_stores import dynamo_records


class World:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
        CollectionsAdmin(self.collections, self.records).create(
            {"name": "items", "type": "base", "listRule": "", "fields": [{"name": "n", "type": "number"}]})

    def create_as_before_shard_counts(self, name: str) -> None:
        """A collection as stored before layouts had a shard count: its layout JSON without `shards`."""
        CollectionsAdmin(self.collections, self.records).create(
            {"name": name, "type": "base", "listRule": "", "fields": [{"name": "n", "type": "number"}]})
        stored = self.collections.get(name)
        layout = stored.layout.model_dump(mode="json")
        del layout["shards"]
        client("dynamodb").put_item(TableName=resources.SYSTEM_TABLE.physical_name, Item={
            "pk": {"S": CATALOG_PK}, "sk": {"S": stored.collection.id},
            "doc": {"S": json.dumps({"collection": stored.collection.to_storage_json(), "layout": layout})}})
        self.collections.invalidate()

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True))

    def load(self, rows: list[dict[str, Any]], name: str = "items") -> None:
        import_records(self.collections, self.records, name, rows)

    def stored_partitions(self, name: str) -> dict[str, int]:
        """How many items each `r#` partition key of a collection holds, read from the table itself."""
        stored = self.collections.get(name)
        counts: dict[str, int] = {}
        for shard in range(keys.MAX_SHARDS):
            pk = keys.record_pk(stored.collection.id, shard)
            out = client("dynamodb").query(TableName=resources.RECORDS_TABLE.physical_name, Select="COUNT",
                                           KeyConditionExpression="pk = :pk",
                                           ExpressionAttributeValues={":pk": {"S": pk}})
            if out["Count"]:
                counts[pk] = int(out["Count"])
        return counts

    def page(self, params: dict[str, str], name: str = "items") -> tuple[list[str], RecordScope]:
        scope = self.scope()
        out = scope.reader.list_page(name, {"skipTotal": "1", **params})
        return [item["id"] for item in out["items"]], scope


@pytest.fixture
def world(moto: cloud.MotoCloud) -> Iterator[World]:
    yield World()


def test_page_1_of_generated_ids_is_exact_and_costs_about_the_page(world: World) -> None:
    # Given 600 records with generated ids
    world.load([{"n": i} for i in range(600)])
    everything, _ = world.page({"perPage": "1000"})
    # When page 1 of 20 and page 3 of 20 are listed, ascending and descending
    first, scope = world.page({"perPage": "20"})
    third, _ = world.page({"perPage": "20", "page": "3"})
    last, _ = world.page({"perPage": "20", "sort": "-id"})
    # Then each is the true slice of the id order, and page 1 read about a page in about two round trips
    assert everything == sorted(everything) and len(everything) == 600
    assert first == everything[:20]
    assert third == everything[40:60]
    assert last == everything[::-1][:20]
    # (typically 24 to 26 in 2; the spread is tested on the in-memory shards, tests/unit/records)
    assert scope.meter.items_read <= 50
    assert scope.meter.round_trips <= 4


def test_client_ids_that_are_not_time_ordered_and_skewed_shards_merge_exactly(world: World) -> None:
    # Given client-supplied ids in no time order, most in one shard, and a few in another
    rng = random.Random(3)
    pool = [f"{rng.choice('zyx0a')}{i:06d}abcdefgh" for i in range(3000)]
    ids = [i for i in pool if keys.shard_of(i, 2) == 1][:45] + [i for i in pool if keys.shard_of(i, 2) == 0][:3]
    world.load([{"id": i, "n": n} for n, i in enumerate(ids)])
    # When pages are listed
    for per_page, page in ((5, 1), (20, 1), (20, 2), (48, 1)):
        got, _ = world.page({"perPage": str(per_page), "page": str(page)})
        # Then each is the true slice of the id order
        assert got == sorted(ids)[(page - 1) * per_page:page * per_page]


def test_a_new_collection_writes_its_records_under_2_partition_keys(world: World) -> None:
    # Given a collection created now
    assert world.collections.get("items").layout.shards == keys.NEW_COLLECTION_SHARDS
    # When 200 records are created, one by one and imported
    scope = world.scope()
    for n in range(40):
        scope.writer.create("items", {"n": n})
    world.load([{"n": n} for n in range(40, 200)])
    # Then the table holds them under exactly 2 record partition keys, and a list finds them all
    partitions = world.stored_partitions("items")
    assert len(partitions) == 2 and sum(partitions.values()) == 200
    everything, _ = world.page({"perPage": "500"})
    assert len(everything) == 200


def test_a_collection_stored_without_a_shard_count_keeps_its_8_shards_for_every_read_and_write(
        world: World) -> None:
    # Given a collection whose stored layout predates shard counts, with 120 records
    world.create_as_before_shard_counts("legacy")
    assert world.collections.get("legacy").layout.shards == keys.LEGACY_SHARDS
    world.load([{"n": n} for n in range(100)], "legacy")
    scope = world.scope()
    created = [scope.writer.create("legacy", {"n": n}).record.id for n in range(100, 120)]
    # Then its records lie under 8 partition keys, as before
    partitions = world.stored_partitions("legacy")
    assert len(partitions) == keys.LEGACY_SHARDS and sum(partitions.values()) == 120
    # And every record is listed (by page and by cursor), read, updated and deleted
    everything, _ = world.page({"perPage": "500"}, "legacy")
    assert len(everything) == 120 and everything == sorted(everything)
    by_cursor: list[str] = []
    out = scope.reader.list_page("legacy", {"perPage": "50", "cursor": "", "skipTotal": "1"})
    while True:
        by_cursor.extend(item["id"] for item in out["items"])
        if not out.get("nextCursor"):
            break
        out = scope.reader.list_page("legacy", {"perPage": "50", "cursor": out["nextCursor"], "skipTotal": "1"})
    assert by_cursor == everything
    for record_id in everything[::7]:
        view, _ = scope.reader.view("legacy", record_id, {})
        assert view["id"] == record_id
        scope.writer.update("legacy", record_id, {"n": -1})
    assert {item["n"] for item in world.scope().reader.list_page(
        "legacy", {"perPage": "500", "filter": "n = -1", "skipTotal": "1"})["items"]} == {-1}
    for record_id in [*created[:5], *everything[:5]]:
        scope.writer.delete("legacy", record_id)
    assert len(world.page({"perPage": "500"}, "legacy")[0]) == 110
    assert sum(world.stored_partitions("legacy").values()) == 110
