"""An in-memory records world for the rules/resolver unit suites: fake repositories and a blog of users and posts."""

from __future__ import annotations

from typing import Any

from shared.catalog.layout import plan_layout
from shared.catalog.repository import InMemoryCollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.records.context import AuthState, RequestContext
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter, StoredRecord
from shared.records.rules import check_rule
from shared.records.scope import RecordScope

PASSWORD = "Passw0rd-long-enough"


class World:
    """Collections and records, and a RecordScope per role (`superuser`, `guest` or a record id)."""

    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)

    def collection(self, body: dict[str, Any]) -> Collection:
        collection = validate_collection(body, existing=None, find_collection=self._find,
                                         check_rule=check_rule)
        self.collections.save(StoredCollection(collection=collection,
                                               layout=plan_layout(collection, None, has_records=False)))
        return collection

    def _find(self, id_or_name: str) -> Collection | None:
        stored = self.collections.find(id_or_name)
        return stored.collection if stored else None

    def record(self, collection: str, body: dict[str, Any]) -> StoredRecord:
        scope = RecordScope(self.collections, self.records, RequestContext(method="POST", system=True))
        return scope.writer.create(collection, body).record

    def service(self, role: str, *, method: str = "GET", body: dict[str, Any] | None = None,
                as_collection: str = "people") -> RecordScope:
        if role == "superuser":
            request = RequestContext(method=method, body=body or {}, system=True)
        elif role == "guest":
            request = RequestContext(method=method, body=body or {})
        else:
            stored = self.collections.get(as_collection)
            record = self.records.get(stored.collection.id, role, ReadMeter())
            assert record is not None
            request = RequestContext(method=method, body=body or {},
                                     auth=AuthState(record=record, collection=stored.collection))
        return RecordScope(self.collections, self.records, request)

    def ids(self, collection: str, role: str, **params: str) -> list[str]:
        """The ids a list request answers, in order."""
        page = self.service(role).reader.list_page(collection, {"perPage": "100", **params})
        return [item["id"] for item in page["items"]]


def blog() -> tuple[World, dict[str, str]]:
    """people (auth: alice hides her email, bob shows his) <- posts, plus a locked and a half-private collection.

    Mirrors the collections the oracle answers in the test docstrings were recorded against.
    """
    world = World()
    world.collection({
        "name": "people", "type": "auth", "listRule": "", "viewRule": "", "createRule": "",
        "updateRule": "id = @request.auth.id && @request.body.role:isset = false && "
                      "@request.body.credits:isset = false && @request.body.nick:isset = false",
        "fields": [{"name": "secret", "type": "text", "hidden": True},
                   {"name": "role", "type": "select", "values": ["user", "admin"]},
                   {"name": "badges", "type": "select", "values": ["x", "y", "admin"], "maxSelect": 3},
                   {"name": "credits", "type": "number"},
                   {"name": "nick", "type": "text", "autogeneratePattern": "[a-z]{5}"}]})
    world.collection({"name": "locked", "type": "base", "listRule": None, "fields": [{"name": "name", "type": "text"}]})
    world.collection({"name": "priv", "type": "base", "listRule": "name = 'open'", "viewRule": "name = 'open'",
                      "fields": [{"name": "name", "type": "text"}]})
    people, locked, priv = (world.collections.get(n).collection for n in ("people", "locked", "priv"))
    world.collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": people.id, "maxSelect": 1},
        {"name": "authors", "type": "relation", "collectionId": people.id, "maxSelect": 5},
        {"name": "lk", "type": "relation", "collectionId": locked.id, "maxSelect": 1},
        {"name": "pv", "type": "relation", "collectionId": priv.id, "maxSelect": 5},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "one", "type": "select", "values": ["a", "b", "c"], "maxSelect": 1}]})
    ids = {"alice": "alice0000000001", "bob": "bob000000000002", "zed": "zed000000000003",
           "l1": "lock00000000001", "open": "open00000000001", "closed": "closed000000001",
           "p1": "post00000000001", "p2": "post00000000002", "p3": "post00000000003", "p4": "post00000000004"}
    for name, visible in (("alice", False), ("bob", True), ("zed", False)):
        world.record("people", {"id": ids[name], "email": f"{name}@x.com", "emailVisibility": visible,
                                "password": PASSWORD, "passwordConfirm": PASSWORD, "secret": f"s-{name}",
                                "role": "user", "credits": 1})
    world.record("locked", {"id": ids["l1"], "name": "l"})
    world.record("priv", {"id": ids["open"], "name": "open"})
    world.record("priv", {"id": ids["closed"], "name": "closed"})
    world.record("posts", {"id": ids["p1"], "title": "p1", "author": ids["alice"],
                           "authors": [ids["alice"], ids["bob"]], "lk": ids["l1"],
                           "pv": [ids["open"], ids["closed"]], "tags": ["a", "b"], "one": "a"})
    world.record("posts", {"id": ids["p2"], "title": "p2", "author": ids["bob"], "authors": [ids["bob"]],
                           "pv": [ids["open"]], "tags": ["c"], "one": "c"})
    world.record("posts", {"id": ids["p3"], "title": "p3", "author": ids["zed"], "tags": [], "one": ""})
    world.record("posts", {"id": ids["p4"], "title": "p4", "tags": ["a", "b", "c"], "pv": [ids["closed"]]})
    return world, ids
