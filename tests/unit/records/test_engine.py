"""The records engine on in-memory repositories: reads, writes, conflicts, retries, hooks and batch context."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.errors import BadRequestError
from shared.records.batch import run_batch
from shared.records.context import RequestContext
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import RecordWrite
from shared.records.scope import RecordScope

SYSTEM = RequestContext(system=True)


class World:
    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        self.hooks = RecordHooks()
        admin = CollectionsAdmin(self.collections, self.records)
        admin.create({"name": "notes", "type": "base", "listRule": "", "viewRule": "", "updateRule": "",
                      "createRule": '@request.body.title != "forbidden" && @request.context != "nope"',
                      "fields": [{"name": "title", "type": "text", "max": 20}, {"name": "n", "type": "number"},
                                 {"name": "code", "type": "text"},
                                 {"name": "meta", "type": "json", "maxSize": 2_000_000}],
                      "indexes": ["CREATE UNIQUE INDEX idx_notes_code ON notes (code)",
                                  "CREATE INDEX idx_notes_title ON notes (title)"]})

    def scope(self, request: RequestContext = SYSTEM) -> RecordScope:
        return RecordScope(self.collections, self.records, request, self.hooks)


@pytest.fixture
def world() -> World:
    return World()


def test_a_created_record_is_listed_through_its_index_reading_about_a_page(world: World) -> None:
    # Given three notes, two titled "a"
    for i, title in enumerate(["a", "b", "a"]):
        world.scope().writer.create("notes", {"title": title, "code": f"c{i}"})
    # When a guest lists notes titled "a"
    scope = world.scope(RequestContext())
    page = scope.reader.list_page("notes", {"filter": 'title = "a"'})
    # Then both come back, read through the index: no more items read than returned plus the total
    assert [item["title"] for item in page["items"]] == ["a", "a"]
    assert scope.meter.plans[0].startswith("index idx_notes_title")
    assert scope.meter.items_read <= 2 + 1


def test_a_taken_unique_value_is_pocketbases_400_and_stores_nothing(world: World) -> None:
    world.scope().writer.create("notes", {"title": "first", "code": "x"})
    with pytest.raises(BadRequestError) as refused:
        world.scope().writer.create("notes", {"title": "second", "code": "x"})
    assert refused.value.message == "Failed to create record."
    assert refused.value.data == {"code": {"code": "validation_not_unique", "message": "Value must be unique."}}
    assert world.scope().reader.list_page("notes", {})["totalItems"] == 1


def test_an_update_that_loses_a_race_is_reapplied_on_the_fresh_record(world: World,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a note with n = 1, and another writer that adds 10 just before our first write lands
    note = world.scope().writer.create("notes", {"title": "t", "n": 1, "code": "r"}).record
    n_id = world.collections.get("notes").collection.field_by_name("n").id  # type: ignore[union-attr]
    real_write = world.records.write
    raced: list[bool] = []

    def racing_write(writes: list[RecordWrite]) -> None:
        if not raced:
            raced.append(True)
            real_write([RecordWrite(kind="update", record=note, increments={n_id: 10})])
        real_write(writes)

    monkeypatch.setattr(world.records, "write", racing_write)
    # When we send n+ = 5
    updated = world.scope().writer.update("notes", note.id, {"n+": 5})
    # Then ours was re-applied on top of theirs: nothing is lost
    assert updated.record.data[n_id] == 16
    assert world.scope().reader.view("notes", note.id, {})[0]["n"] == 16


def test_validate_hook_errors_join_the_field_errors_in_one_answer(world: World) -> None:
    # Given a validate hook that refuses n = 13
    world.hooks.on("validate", lambda event: {"n": {"code": "unlucky", "message": "Not 13."}}
                   if event.body.get("n") == 13 else {})
    # When a create breaks both the hook and the title's max length
    with pytest.raises(BadRequestError) as refused:
        world.scope().writer.create("notes", {"title": "x" * 21, "n": 13})
    # Then one 400 names both
    assert refused.value.data["n"]["code"] == "unlucky"
    assert refused.value.data["title"]["code"] == "validation_max_text_constraint"


def test_a_before_hook_cancels_the_write_and_nothing_is_stored(world: World) -> None:
    def refuse(event: RecordEvent) -> None:
        raise BadRequestError("Notes are closed today.")

    world.hooks.on("before", refuse, actions=("create",), collections=("notes",))
    with pytest.raises(BadRequestError, match="closed today"):
        world.scope().writer.create("notes", {"title": "t"})
    assert world.records.writes == 0


def test_a_failing_after_hook_does_not_fail_the_committed_write(world: World) -> None:
    seen: list[str] = []

    def boom(event: RecordEvent) -> None:
        seen.append(event.action)
        raise RuntimeError("downstream is down")

    world.hooks.on("after", boom)
    created = world.scope().writer.create("notes", {"title": "kept", "code": "k"})
    assert seen == ["create"]
    assert world.scope().reader.view("notes", created.record.id, {})[0]["title"] == "kept"


def test_a_record_over_the_item_limit_is_a_400_naming_the_limit(world: World) -> None:
    with pytest.raises(BadRequestError, match="400 KB"):
        world.scope().writer.create("notes", {"title": "big", "meta": {"blob": "x" * 450_000}})
    assert world.records.writes == 0


def _batch(world: World, requests: list[dict[str, Any]], request: RequestContext) -> list[dict[str, Any]]:
    return run_batch(world.scope(request), requests, enabled=True, max_requests=50)


def test_batch_sub_requests_see_their_own_body_and_the_batch_context(world: World) -> None:
    guest = RequestContext(method="POST", body={"requests": "the outer body"})
    # When a guest batches two creates, one of which its createRule (on @request.body) forbids
    ok = _batch(world, [{"method": "POST", "url": "/api/collections/notes/records", "body": {"title": "fine"}}],
                guest)
    with pytest.raises(BadRequestError) as refused:
        _batch(world, [{"method": "POST", "url": "/api/collections/notes/records", "body": {"title": "forbidden"}}],
               guest)
    # Then each was judged on its own body, exactly as the same request alone
    assert ok[0]["status"] == 200 and ok[0]["body"]["title"] == "fine"
    assert refused.value.data["requests"]["0"]["response"]["status"] == 400


@pytest.mark.parametrize(("enabled", "max_requests", "count", "status"), [
    (False, 50, 1, 403), (True, 0, 1, 403), (True, 2, 3, 400), (True, 2, 0, 400)])
def test_batch_settings_are_pocketbases(world: World, enabled: bool, max_requests: int, count: int,
                                        status: int) -> None:
    requests = [{"method": "POST", "url": "/api/collections/notes/records", "body": {"title": f"t{i}"}}
                for i in range(count)]
    from shared.errors import ApiError

    with pytest.raises(ApiError) as refused:
        run_batch(world.scope(), requests, enabled=enabled, max_requests=max_requests)
    assert refused.value.status == status
