"""Bulk import of records (shared.records.importer.import_records) on moto with every resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.errors import BadRequestError
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

FIELDS = [{"name": "status", "type": "text", "required": True}, {"name": "score", "type": "number", "min": 0},
          {"name": "code", "type": "text"}]


class World:
    """The catalog and records on a fresh moto, seen by an operator (superuser rights)."""

    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()

    def collection(self, name: str, *indexes: str) -> str:
        body = {"name": name, "type": "base", "fields": FIELDS, "indexes": list(indexes)}
        return CollectionsAdmin(self.collections, self.records).create(body).id

    def service(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True))

    def import_rows(self, name: str, rows: list[dict[str, Any]]) -> int:
        return import_records(self.collections, self.records, name, rows)

    def ids(self, name: str) -> set[str]:
        page = self.service().reader.list_page(name, {"perPage": "1000", "skipTotal": "1"})
        return {item["id"] for item in page["items"]}


@pytest.fixture
def world() -> Iterator[World]:
    with running_cloud():
        yield World()


def row_errors(exc: pytest.ExceptionInfo[BadRequestError]) -> dict[str, Any]:
    return dict(exc.value.data["rows"])


def test_imported_records_are_readable_and_indexed(world: World) -> None:
    # Given a collection with an index on (status, score)
    world.collection("tasks", "CREATE INDEX idx_tasks_status_score ON tasks (status, score)")
    rows = [{"status": "open" if i % 3 else "done", "score": i} for i in range(40)]
    rows[0]["id"] = "given0000000001"
    # When the rows are imported
    written = world.import_rows("tasks", rows)
    # Then every row is a record, readable through the records service
    assert written == 40
    assert len(world.ids("tasks")) == 40
    body, _ = world.service().reader.view("tasks", "given0000000001", {})
    assert (body["status"], body["score"]) == ("done", 0)
    # And the index keys were written: the filtered, sorted page is served from the index
    service = world.service()
    page = service.reader.list_page("tasks", {"filter": "status = 'open'", "sort": "-score", "perPage": "5",
                                       "skipTotal": "1"})
    assert [item["score"] for item in page["items"]] == [38, 37, 35, 34, 32]
    assert service.meter.plans[0].startswith("index idx_tasks_status_score")
    assert service.meter.items_read == 5


def test_any_invalid_row_fails_the_import_and_writes_nothing(world: World) -> None:
    # Given a collection with a required status, a score of at least 0, and a stored record with a known id
    world.collection("tasks")
    world.import_rows("tasks", [{"id": "taken0000000001", "status": "open"}])
    rows = [
        {"status": "open", "score": 1},
        {"score": 2},                                  # status is required
        {"status": "open", "score": -1},               # below the minimum
        {"id": "dup000000000001", "status": "open"},
        {"id": "dup000000000001", "status": "done"},   # same id as the row before
        {"id": "taken0000000001", "status": "open"},   # id already stored
        "not an object",
    ]
    # When they are imported
    with pytest.raises(BadRequestError) as exc:
        world.import_rows("tasks", rows)  # type: ignore[arg-type]
    # Then each failing row is reported under its index, with its field errors
    errors = row_errors(exc)
    assert sorted(errors, key=int) == ["1", "2", "4", "5", "6"]
    assert errors["1"]["status"]["code"] == "validation_required"
    assert "score" in errors["2"]
    assert errors["4"]["id"]["code"] == errors["5"]["id"]["code"] == "validation_invalid_id"
    # And nothing was written
    assert world.ids("tasks") == {"taken0000000001"}


def test_an_empty_import_is_refused(world: World) -> None:
    world.collection("tasks")
    with pytest.raises(BadRequestError) as exc:
        world.import_rows("tasks", [])
    assert exc.value.data["rows"]["code"] == "validation_required"


def test_a_unique_index_holds_within_the_rows_and_against_stored_records(world: World) -> None:
    # Given a collection with a UNIQUE index and a record holding code "a"
    world.collection("things", "CREATE UNIQUE INDEX idx_things_code ON things (code)")
    world.service().writer.create("things", {"status": "open", "code": "a"})
    # When rows repeat a stored value, or each other's
    with pytest.raises(BadRequestError) as exc:
        world.import_rows("things", [{"status": "open", "code": "b"}, {"status": "open", "code": "a"},
                                     {"status": "open", "code": "c"}, {"status": "open", "code": "c"}])
    # Then those rows are refused as not unique, and nothing is written
    errors = row_errors(exc)
    assert sorted(errors) == ["1", "3"]
    assert errors["1"]["code"]["code"] == errors["3"]["code"]["code"] == "validation_not_unique"
    assert len(world.ids("things")) == 1
    # When distinct new values are imported
    assert world.import_rows("things", [{"status": "open", "code": f"n{i}"} for i in range(120)]) == 120
    # Then their claims are held: a later create with one of them is refused
    with pytest.raises(BadRequestError) as refused:
        world.service().writer.create("things", {"status": "open", "code": "n119"})
    assert refused.value.data["code"]["code"] == "validation_not_unique"


def test_a_value_claimed_after_validation_is_refused_by_the_transaction(world: World,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a stored record with code "x", and validation that misses it (as a write racing the import would)
    world.collection("things", "CREATE UNIQUE INDEX idx_things_code ON things (code)")
    world.service().writer.create("things", {"status": "open", "code": "x"})
    monkeypatch.setattr(world.records, "claims_taken", lambda claims: set())
    # When rows with "x" are imported
    with pytest.raises(BadRequestError) as exc:
        world.import_rows("things", [{"status": "open", "code": "y"}, {"status": "open", "code": "x"}])
    # Then the conditional transaction refuses the chunk, names the row, and writes none of it
    assert row_errors(exc)["1"]["code"]["code"] == "validation_not_unique"
    assert "the rows before its chunk were written" in exc.value.message
    assert len(world.ids("things")) == 1
