"""`sort=created` / `-created` from the id order: about a page of reads while ids prove creation order, the
true order always (the unordered marker, put by every write that cannot prove its record's order)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.collections.datetime import epoch_ms, format_datetime
from shared.collections.ids import id_time_ms
from shared.errors import BadRequestError
from shared.records import validation
from shared.records.batch import run_batch
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.scope import RecordScope

SYSTEM = RequestContext(system=True)
RECORDS = 300
FIELDS = [{"name": "n", "type": "number"}, {"name": "created", "type": "autodate", "onCreate": True},
          {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]


class World:
    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        self.admin = CollectionsAdmin(self.collections, self.records)
        self.admin.create({"name": "notes", "type": "base", "listRule": "", "fields": FIELDS})
        self.notes = self.collections.get("notes").collection.id

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, SYSTEM)

    def create(self, body: dict[str, Any]) -> str:
        return self.scope().writer.create("notes", body).record.id

    def page(self, params: dict[str, str]) -> tuple[list[dict[str, Any]], RecordScope, dict[str, Any]]:
        scope = self.scope()
        out = scope.reader.list_page("notes", params)
        return out["items"], scope, out

    def true_order(self, *, descending: bool, where: Any = None) -> list[str]:
        """Every record sorted by `created` then id, in one direction, computed apart from any plan."""
        everything, _, _ = self.page({"perPage": "1000", "skipTotal": "1"})
        kept = [r for r in everything if where is None or where(r)]
        return [r["id"] for r in sorted(kept, key=lambda r: (r["created"], r["id"]), reverse=descending)]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    # One create a millisecond, as a steady writer makes them: the page-read bounds below are about the merge,
    # not about a loaded machine's pauses, which skew the id times the merge's estimate reads.
    ticks = itertools.count()
    start = datetime.now(UTC)
    monkeypatch.setattr(validation, "now_string",
                        lambda: format_datetime(start + timedelta(milliseconds=next(ticks))))
    made = World()
    for i in range(RECORDS):
        made.create({"n": i})
    return made


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def test_a_generated_id_starts_with_the_millisecond_of_its_created_value(world: World) -> None:
    # Given records created through the API, Then each id's time prefix is its `created` millisecond
    items, _, _ = world.page({"perPage": "1000", "skipTotal": "1"})
    assert len(items) == RECORDS
    assert all(id_time_ms(item["id"]) == epoch_ms(item["created"]) for item in items)
    assert world.notes not in world.records.unordered


@pytest.mark.parametrize("sort", ["-created", "created", "-created,-id", "created,@rowid"])
@pytest.mark.parametrize("page", [1, 4])
def test_a_creation_order_sort_reads_about_a_page_and_equals_the_true_order(world: World, sort: str,
                                                                           page: int) -> None:
    # When a page is listed by created, in either direction
    items, scope, out = world.page({"sort": sort, "perPage": "20", "page": str(page)})
    # Then it is the true order's page, the total comes from the counter, and only about the page was read
    # (offset + page, plus the merge's margin and two point reads), not the collection
    start = (page - 1) * 20
    assert ids(items) == world.true_order(descending=sort.startswith("-"))[start:start + 20]
    assert out["totalItems"] == RECORDS
    assert "in id order" in scope.meter.plans[0]
    assert scope.meter.items_read <= 2 * (start + 20) + 12


def test_a_filter_combines_with_the_id_order_as_for_minus_id(world: World) -> None:
    # When sort=-created is asked with a filter the index cannot serve
    items, scope, _ = world.page({"sort": "-created", "filter": "n >= 150 && n != 290", "perPage": "10",
                                  "skipTotal": "1"})
    # Then the page is the filtered true order, read in id order with the residual filter
    assert ids(items) == world.true_order(descending=True, where=lambda r: 150 <= r["n"] != 290)[:10]
    assert "in id order" in scope.meter.plans[0] and scope.meter.items_read < 80


def test_a_client_supplied_id_marks_the_collection_and_the_order_stays_true(world: World) -> None:
    # Given one record created now (a moment after the others) with an id whose time prefix is far in the past
    time.sleep(0.002)
    old_looking = world.create({"id": "000000000000001", "n": -1})
    # Then the collection is marked, and sort=-created still shows that newest record on the first page
    assert world.notes in world.records.unordered
    items, scope, _ = world.page({"sort": "-created", "perPage": "20"})
    assert old_looking in ids(items)
    assert ids(items) == world.true_order(descending=True)[:20]
    assert scope.meter.plans[-1].startswith("scan by id, sorted in memory")


def test_ties_on_created_come_in_id_order_in_the_sorts_direction_in_either_plan(world: World) -> None:
    # Given the order read from the ids, then the same list once the collection is marked
    served, _, _ = world.page({"sort": "-created", "perPage": "1000", "skipTotal": "1"})
    world.records.mark_unordered(world.notes)
    sorted_in_memory, scope, _ = world.page({"sort": "-created", "perPage": "1000", "skipTotal": "1"})
    # Then both plans give the same order (records of one millisecond by id, descending)
    assert "sorted in memory" in scope.meter.plans[-1]
    assert ids(served) == ids(sorted_in_memory) == world.true_order(descending=True)


def test_a_generated_update_keeps_the_collection_unmarked(world: World) -> None:
    # When a record is updated (its `updated` autodate moves, `created` does not)
    first = world.true_order(descending=False)[0]
    world.scope().writer.update("notes", first, {"n": 1000})
    # Then nothing is marked
    assert world.notes not in world.records.unordered


def test_an_import_marks_only_when_a_row_brings_its_own_id(world: World) -> None:
    # When rows without ids are imported, Then their ids prove their order
    import_records(world.collections, world.records, "notes", [{"n": 1}, {"n": 2}])
    assert world.notes not in world.records.unordered
    # When a row brings its own id, Then the collection is marked before anything is written
    import_records(world.collections, world.records, "notes", [{"id": "zzzzzzzzzzzzzz1", "n": 3}])
    assert world.notes in world.records.unordered
    items, _, _ = world.page({"sort": "created", "perPage": "5"})
    assert ids(items) == world.true_order(descending=False)[:5]


@pytest.mark.parametrize(("body", "marks"), [({"n": 1}, False), ({"id": "zzzzzzzzzzzzzz2", "n": 1}, True)])
def test_a_batch_create_marks_only_an_unproven_id(world: World, body: dict[str, Any], marks: bool) -> None:
    # When a batch creates a record (generated id, or its own)
    run_batch(world.scope(), [{"method": "POST", "url": "/api/collections/notes/records", "body": body}],
              enabled=True, max_requests=50)
    # Then only the supplied id marks the collection
    assert (world.notes in world.records.unordered) is marks


def test_a_collection_without_created_marks_on_create_and_sorts_in_memory() -> None:
    # Given a collection whose `created` is a plain date field that clients set
    made = World()
    made.admin.create({"name": "events", "type": "base", "listRule": "",
                       "fields": [{"name": "created", "type": "date"}]})
    scope = made.scope()
    scope.writer.create("events", {"created": "2001-01-01 00:00:00.000Z"})
    scope.writer.create("events", {"created": "1999-01-01 00:00:00.000Z"})
    # Then its creates mark it, and sort=created follows the values, not the ids
    events = made.collections.get("events").collection.id
    assert events in made.records.unordered
    out = made.scope().reader.list_page("events", {"sort": "created"})
    assert [i["created"][:4] for i in out["items"]] == ["1999", "2001"]


def test_renaming_another_field_to_created_marks_the_collection(world: World) -> None:
    # When `created` is renamed away and `updated` (moved by every update) takes its name
    stored = world.collections.get("notes").collection.to_api_json()
    fields = [dict(f, name={"created": "made", "updated": "created"}.get(f["name"], f["name"]))
              for f in stored["fields"]]
    world.admin.update("notes", {"fields": fields})
    # Then the collection is marked by the schema change itself, before any write
    assert world.notes in world.records.unordered


def test_cursors_refuse_creation_order_sorts(world: World) -> None:
    # When a cursor is asked for sort=-created, Then it is a 400 (page with `page` instead)
    with pytest.raises(BadRequestError) as refused:
        world.page({"sort": "-created", "cursor": ""})
    assert refused.value.status == 400 and "cursor" in refused.value.data


def test_an_index_whose_columns_the_filter_pins_serves_created_order_too() -> None:
    # Given posts of two owners, indexed on owner
    made = World()
    made.admin.create({"name": "posts", "type": "base", "listRule": "", "fields": [
        {"name": "owner", "type": "text"}, *FIELDS], "indexes": ["CREATE INDEX idx_owner ON posts (owner)"]})
    scope = made.scope()
    for i in range(120):
        scope.writer.create("posts", {"owner": "ab"[i % 2], "n": i})

    def newest(params: dict[str, str]) -> tuple[list[str], RecordScope]:
        reading = made.scope()
        out = reading.reader.list_page("posts", {"filter": "owner = 'a'", "perPage": "5", **params})
        return ids(out["items"]), reading

    everything, _ = newest({"perPage": "1000", "skipTotal": "1"})
    by_created, reading = newest({"sort": "-created", "skipTotal": "1"})
    # When one owner's newest are listed, Then the index partition is read in order, about a page
    listed = made.scope().reader.list_page("posts", {"filter": "owner = 'a'", "perPage": "1000"})["items"]
    truth = [r["id"] for r in sorted(listed, key=lambda r: (r["created"], r["id"]), reverse=True)]
    assert len(everything) == 60 and by_created == truth[:5]
    assert "idx_owner" in reading.meter.plans[0] and "in index order" in reading.meter.plans[0]
    assert reading.meter.items_read <= 8
    # And once the collection is marked, the partition is sorted in memory, to the same page
    made.records.mark_unordered(made.collections.get("posts").collection.id)
    again, reading = newest({"sort": "-created", "skipTotal": "1"})
    assert again == truth[:5] and "sorted in memory" in reading.meter.plans[-1]
