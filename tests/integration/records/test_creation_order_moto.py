"""Creation-order sorts on moto: the unordered marker is a stored item every instance sees, and the order holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local import cloud
from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.dynamo_repository import DynamoRecordRepository
from shared.records.importer import import_records
from shared.records.model import ReadMeter
from shared.records.scope import RecordScope
from tests.support.record_stores import dynamo_records

FIELDS = [{"name": "n", "type": "number"}, {"name": "created", "type": "autodate", "onCreate": True}]


class World:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
        self.id = CollectionsAdmin(self.collections, self.records).create(
            {"name": "feed", "type": "base", "listRule": "", "fields": FIELDS}).id

    def another_instance(self) -> DynamoRecordRepository:
        """A repository as a fresh Lambda instance holds it: nothing cached."""
        return dynamo_records()

    def newest(self, records: DynamoRecordRepository, per_page: int = 10) -> tuple[list[dict[str, Any]], str]:
        scope = RecordScope(self.collections, records, RequestContext(system=True))
        out = scope.reader.list_page("feed", {"sort": "-created", "perPage": str(per_page), "skipTotal": "1"})
        return out["items"], " | ".join(scope.meter.plans)


@pytest.fixture
def world(moto: cloud.MotoCloud) -> Iterator[World]:
    yield World()


def newest_first(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in sorted(items, key=lambda r: (r["created"], r["id"]), reverse=True)]


def test_the_marker_put_by_one_instance_turns_another_instances_plan(world: World) -> None:
    # Given 200 imported records of generated ids
    import_records(world.collections, world.records, "feed", [{"n": i} for i in range(200)])
    everything = RecordScope(world.collections, world.records, RequestContext(system=True)).reader.list_page(
        "feed", {"perPage": "1000", "skipTotal": "1"})["items"]
    # Then sort=-created is the id order's page, and no marker is stored
    items, plan = world.newest(world.another_instance())
    assert [i["id"] for i in items] == newest_first(everything)[:10]
    assert "in id order" in plan
    assert not world.another_instance().is_unordered(world.id, ReadMeter())
    # When one instance imports a row with an id that looks old
    import_records(world.collections, world.records, "feed", [{"id": "000000000000009", "n": -1}])
    reader = RecordScope(world.collections, world.records, RequestContext(system=True)).reader
    everything.append(reader.view("feed", "000000000000009", {})[0])
    # Then another instance reads the marker and sorts in memory, in the true order
    items, plan = world.newest(world.another_instance(), per_page=201)
    assert world.another_instance().is_unordered(world.id, ReadMeter())
    assert "sorted in memory" in plan
    assert [i["id"] for i in items] == newest_first(everything)
