"""Cursor paging (`cursor` in, `nextCursor` out): every page costs about a page, and a cursor grants nothing."""

from __future__ import annotations

import base64
import json

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.errors import BadRequestError
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.scope import RecordScope

RECORDS = 400


class World:
    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        admin = CollectionsAdmin(self.collections, self.records)
        for name in ("notes", "other"):
            admin.create({"name": name, "type": "base", "listRule": 'secret = false',
                          "fields": [{"name": "n", "type": "number"}, {"name": "secret", "type": "bool"}]})
        import_records(self.collections, self.records, "notes",
                       [{"n": i, "secret": i % 10 == 0} for i in range(RECORDS)])
        import_records(self.collections, self.records, "other", [{"n": i} for i in range(30)])

    def list(self, params: dict[str, str], name: str = "notes") -> tuple[dict[str, object], RecordScope]:
        scope = RecordScope(self.collections, self.records, RequestContext())
        return scope.reader.list_page(name, params), scope

    def all_visible(self, sort: str = "") -> list[str]:
        out, _ = self.list({"perPage": "1000", "sort": sort})
        return [item["id"] for item in out["items"]]  # type: ignore[attr-defined]


@pytest.fixture
def world() -> World:
    return World()


def follow(world: World, params: dict[str, str]) -> tuple[list[str], list[int]]:
    ids, reads, cursor = [], [], ""
    while True:
        out, scope = world.list({**params, "cursor": cursor})
        ids.extend(item["id"] for item in out["items"])  # type: ignore[attr-defined]
        reads.append(scope.meter.items_read)
        cursor = str(out["nextCursor"])
        if not cursor:
            return ids, reads


@pytest.mark.parametrize("sort", ["", "-id"])
def test_following_next_cursors_lists_every_visible_record_once_in_order(world: World, sort: str) -> None:
    # Given 400 notes, a tenth of them hidden by the listRule
    # When a guest follows nextCursor from an empty cursor, 25 a page
    ids, reads = follow(world, {"perPage": "25", "sort": sort, "skipTotal": "1"})
    # Then every visible note comes exactly once, in order, and a deep page costs what the first one does
    # (about two chunks of candidates, since the listRule drops some): nothing grows with the depth
    assert ids == world.all_visible(sort)
    assert sorted(reads)[len(reads) // 2] <= 60
    assert max(reads) <= 6 * 25


def test_a_client_that_sends_no_cursor_sees_pocketbases_list_shape(world: World) -> None:
    # When a list is asked without cursor
    out, _ = world.list({"perPage": "5"})
    # Then the response has PocketBase's keys only
    assert set(out) == {"page", "perPage", "totalItems", "totalPages", "items"}


def test_a_cursor_made_for_another_collection_or_filter_or_hand_edited_garbage_is_a_400(world: World) -> None:
    # Given a cursor from the second collection's first page
    out, _ = world.list({"perPage": "5", "cursor": ""}, name="other")
    foreign = str(out["nextCursor"])
    filtered, _ = world.list({"perPage": "5", "cursor": "", "filter": "n > 3"})
    # When they are used on another collection, another filter, or garbled
    for cursor, params in ((foreign, {}), (str(filtered["nextCursor"]), {}), ("not-a-cursor!", {}),
                           (base64.urlsafe_b64encode(b'{"v":1}').decode(), {})):
        with pytest.raises(BadRequestError) as refused:
            world.list({"perPage": "5", "cursor": cursor, **params})
        # Then each is PocketBase's 400 naming the parameter
        assert refused.value.status == 400 and "cursor" in refused.value.data


def test_a_hand_made_cursor_only_positions_the_read_and_the_list_rule_still_applies(world: World) -> None:
    # Given a valid cursor whose position is edited back to before every record
    out, _ = world.list({"perPage": "5", "cursor": ""})
    doc = json.loads(base64.urlsafe_b64decode(str(out["nextCursor"]) + "=="))
    doc["a"] = "0"
    edited = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()
    # When the edited cursor is used
    page, _ = world.list({"perPage": "1000", "cursor": edited})
    # Then it lists what the listRule lets the guest see, and nothing it hides
    assert [item["id"] for item in page["items"]] == world.all_visible()  # type: ignore[attr-defined]
    assert not any(item["secret"] for item in page["items"])  # type: ignore[attr-defined]


def test_a_cursor_with_a_sort_no_id_order_serves_is_refused(world: World) -> None:
    with pytest.raises(BadRequestError) as refused:
        world.list({"cursor": "", "sort": "n"})
    assert refused.value.status == 400 and "cursor" in refused.value.data
