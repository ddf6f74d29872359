"""An in-memory records world for the rules/resolver unit suites: fake repositories and a blog of users and posts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.catalog.layout import plan_layout
from shared.catalog.repository import InMemoryCollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.records import keys
from shared.records.context import AuthState, RequestContext
from shared.records.model import ReadMeter, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository
from shared.records.rules import check_rule
from shared.records.service import RecordService

PASSWORD = "Passw0rd-long-enough"


class FakeRecordRepository(RecordRepository):
    """RecordRepository's read and write interface over a dict, metered like the real one."""

    def __init__(self) -> None:
        super().__init__("fake")
        self.rows: dict[tuple[str, str], StoredRecord] = {}
        self.index_attrs: dict[tuple[str, str], dict[str, str]] = {}

    def get(self, collection_id: str, record_id: str, meter: ReadMeter) -> StoredRecord | None:
        meter.add(1)
        return self.rows.get((collection_id, record_id))

    def batch_get(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        found = {i: self.rows[(collection_id, i)] for i in dict.fromkeys(ids) if (collection_id, i) in self.rows}
        meter.add(len(found))
        return found

    def query_pages(self, *, pk_attr: str, pk_value: str, index: str | None, forward: bool, meter: ReadMeter,
                    page_size: int, grow: bool = True, sk_condition: Any = None, filter_expression: Any = None,
                    ) -> Iterator[list[StoredRecord]]:
        # a key condition on the sort key only narrows the candidates, which the residual filter checks all
        # the same: the fake reads the whole partition instead
        if index is None:
            rows = sorted((r for (c, i), r in self.rows.items() if keys.record_pk(c, keys.shard_of(i)) == pk_value),
                          key=lambda r: r.id, reverse=not forward)
        else:
            sk_attr = pk_attr.removesuffix("pk") + "sk"
            matching = [k for k, attrs in self.index_attrs.items() if attrs.get(pk_attr) == pk_value]
            rows = [self.rows[k] for k in sorted(matching, key=lambda k: self.index_attrs[k].get(sk_attr, ""),
                                                   reverse=not forward)]
        meter.add(len(rows))
        yield rows

    def read_counter(self, key: str, meter: ReadMeter) -> int | None:
        return None  # no maintained counter here: totals are counted

    def write(self, writes: list[RecordWrite]) -> None:
        for w in writes:
            key = (w.record.collection_id, w.record.id)
            if w.kind == "delete":
                self.rows.pop(key, None)
                self.index_attrs.pop(key, None)
            else:
                self.rows[key] = w.record
                self.index_attrs[key] = dict(w.index_attrs)


class World:
    """Collections and records, and a RecordService per role (`superuser`, `guest` or a record id)."""

    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = FakeRecordRepository()

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
        service = RecordService(self.collections, self.records, RequestContext(method="POST", system=True))
        _, write = service.prepare_create(collection, body)
        self.records.write([write])
        return write.record

    def service(self, role: str, *, method: str = "GET", body: dict[str, Any] | None = None,
                as_collection: str = "people") -> RecordService:
        if role == "superuser":
            request = RequestContext(method=method, body=body or {}, system=True)
        elif role == "guest":
            request = RequestContext(method=method, body=body or {})
        else:
            stored = self.collections.get(as_collection)
            record = self.records.rows[(stored.collection.id, role)]
            request = RequestContext(method=method, body=body or {},
                                     auth=AuthState(record=record, collection=stored.collection))
        return RecordService(self.collections, self.records, request)

    def ids(self, collection: str, role: str, **params: str) -> list[str]:
        """The ids a list request answers, in order."""
        page = self.service(role).list_page(collection, {"perPage": "100", **params})
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
