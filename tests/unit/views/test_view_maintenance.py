"""View rows on the in-memory repositories: built by the queued job, recomputed per change, redelivery-safe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.errors import BadRequestError
from shared.jobs.checkpoints import InMemoryCheckpointStore
from shared.jobs.context import JobContext
from shared.jobs.queue import InMemoryJobQueue
from shared.jobs.runner import drain
from shared.jobs.view_build import VIEW_SETTLE_S
from shared.records.context import RequestContext
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter, RecordWrite, StoredRecord
from shared.records.scope import RecordScope
from shared.views.maintenance import SourceChange, ViewsReport, apply_view_changes, view_definitions


class NoScanRecords(InMemoryRecordRepository):
    """Counts scans: maintenance must find rows through keys and the reverse index, never by a scan."""

    scans = 0

    def scan(self, collection_id: str, meter: ReadMeter, *, after: str | None = None,
             limit: int | None = None) -> Iterator[StoredRecord]:
        self.scans += 1
        return super().scan(collection_id, meter, after=after, limit=limit)


class Shop:
    def __init__(self, records: NoScanRecords | None = None) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = records or NoScanRecords()
        self.queue = InMemoryJobQueue()
        self.jobs = JobContext(self.collections, self.records, self.queue, InMemoryCheckpointStore())
        self.admin = CollectionsAdmin(self.collections, self.records, self.jobs, settle_s=60)
        self.customers = self.admin.create({"name": "customers", "fields": [{"name": "name", "type": "text"}]})
        self.invoices = self.admin.create({"name": "invoices", "fields": [
            {"name": "title", "type": "text"}, {"name": "total", "type": "number"},
            {"name": "customer", "type": "relation", "collectionId": self.customers.id, "maxSelect": 1}]})
        self.scope = RecordScope(self.collections, self.records, RequestContext(system=True))
        self.log: list[SourceChange] = []

    def write(self, action: str, collection: str, body: dict[str, Any] | None = None, record_id: str = "") -> str:
        """A record write through the records API's writer, logged as the change the stream would carry."""
        cid = self.collections.get(collection).collection.id
        before = self.records.get(cid, record_id, ReadMeter()) if record_id else None
        writer = self.scope.writer
        if action == "create":
            record_id = writer.create(collection, dict(body or {})).record.id
        elif action == "update":
            writer.update(collection, record_id, dict(body or {}))
        else:
            writer.delete(collection, record_id)
        after = self.records.get(cid, record_id, ReadMeter())
        self.log.append(SourceChange(cid, record_id, before.data if before else None, after.data if after else None))
        return record_id

    def maintain(self, changes: list[SourceChange] | None = None) -> ViewsReport:
        changes = self.log if changes is None else changes
        self.log = []
        definitions = view_definitions((s.collection for s in self.collections.all()), self._find)
        return apply_view_changes(changes, definitions, self.records)

    def _find(self, name: str) -> Any:
        found = self.collections.find(name)
        return found.collection if found else None

    def rows(self, view: str) -> dict[str, dict[str, Any]]:
        collection = self.collections.get(view).collection
        names = {f.id: f.name for f in collection.fields}
        return {r.id: {names[k]: v for k, v in r.data.items() if names.get(k) != "id"}
                for r in self.records.scan(collection.id, ReadMeter())}


@pytest.fixture
def shop() -> Shop:
    return Shop()


PLAIN = ("SELECT i.id, i.title, i.total * 2 AS dbl, c.name AS cname FROM invoices i "
         "LEFT JOIN customers c ON c.id = i.customer WHERE i.total > 1")
GROUPED = "SELECT customer AS id, COUNT(*) AS n, SUM(total) AS total FROM invoices GROUP BY customer"


def test_the_build_job_is_queued_after_the_catalog_settles_then_fills_the_view(shop: Shop) -> None:
    # Given invoices written before the view
    ann = shop.write("create", "customers", {"name": "Ann"})
    big = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    shop.write("create", "invoices", {"title": "b", "total": 1})
    # When the view is created
    shop.admin.create({"name": "paid", "type": "view", "viewQuery": PLAIN})
    # Then its build is queued after the catalog cache's lifetime, not the index build's settle
    assert [m.delay_s for m in shop.queue.sent] == [VIEW_SETTLE_S]
    assert shop.rows("paid") == {}
    # And once it runs, the view holds the rows the query selects
    drain(shop.jobs)
    assert shop.rows("paid") == {big: {"title": "a", "dbl": 6, "cname": "Ann"}}


def test_changes_recompute_rows_through_keys_and_the_reverse_index_never_a_scan(shop: Shop) -> None:
    # Given a built view
    ann = shop.write("create", "customers", {"name": "Ann"})
    first = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    second = shop.write("create", "invoices", {"title": "b", "total": 5, "customer": ann})
    shop.admin.create({"name": "paid", "type": "view", "viewQuery": PLAIN})
    drain(shop.jobs)
    shop.log = []
    # When the joined customer is renamed and one invoice drops below the WHERE
    shop.write("update", "customers", {"name": "Annie"}, ann)
    shop.write("update", "invoices", {"total": 1}, first)
    shop.records.scans = 0
    report = shop.maintain()
    # Then nothing was scanned, and the rows follow
    assert shop.records.scans == 0 and report.rows_recomputed == 2
    assert shop.rows("paid") == {second: {"title": "b", "dbl": 10, "cname": "Annie"}}
    # And a deleted source record loses its row
    shop.write("delete", "invoices", record_id=second)
    shop.maintain()
    assert shop.rows("paid") == {}


def test_a_redelivered_batch_changes_nothing_twice(shop: Shop) -> None:
    # Given a grouped view and a batch of changes, applied once
    ann = shop.write("create", "customers", {"name": "Ann"})
    bob = shop.write("create", "customers", {"name": "Bob"})
    shop.admin.create({"name": "per_customer", "type": "view", "viewQuery": GROUPED})
    drain(shop.jobs)
    moved = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    shop.write("create", "invoices", {"title": "b", "total": 4, "customer": ann})
    shop.write("update", "invoices", {"customer": bob}, moved)
    batch = list(shop.log)
    shop.maintain()
    expected = {ann: {"n": 1, "total": 4}, bob: {"n": 1, "total": 3}}
    assert shop.rows("per_customer") == expected
    # When the same batch is delivered again, in whole and as a suffix
    again = shop.maintain(batch)
    suffix = shop.maintain(batch[1:])
    # Then the rows are the same and nothing was written
    assert shop.rows("per_customer") == expected
    assert (again.rows_written, suffix.rows_written) == (0, 0)


def test_a_group_emptied_by_a_relink_loses_its_row(shop: Shop) -> None:
    ann = shop.write("create", "customers", {"name": "Ann"})
    bob = shop.write("create", "customers", {"name": "Bob"})
    shop.admin.create({"name": "per_customer", "type": "view", "viewQuery": GROUPED})
    drain(shop.jobs)
    only = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    shop.maintain()
    shop.write("update", "invoices", {"customer": bob}, only)
    shop.maintain()
    assert shop.rows("per_customer") == {bob: {"n": 1, "total": 3}}


def test_a_changed_query_clears_and_rebuilds_the_rows(shop: Shop) -> None:
    # Given a built view
    ann = shop.write("create", "customers", {"name": "Ann"})
    record = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    shop.admin.create({"name": "paid", "type": "view", "viewQuery": PLAIN})
    drain(shop.jobs)
    # When its query changes
    shop.admin.update("paid", {"viewQuery": "SELECT id, total FROM invoices"})
    drain(shop.jobs)
    # Then only rows of the new definition remain
    assert shop.rows("paid") == {record: {"total": 3}}


def test_a_query_change_may_drop_fields_cloned_from_system_fields(shop: Shop) -> None:
    # Given a view over an auth collection's system fields (clones keep `system`, as in PocketBase)
    shop.admin.create({"name": "people", "type": "auth"})
    view = shop.admin.create({"name": "emails", "type": "view", "viewQuery": "SELECT id, email, verified FROM people"})
    assert [(f.name, f.system) for f in view.fields] == [("id", True), ("email", True), ("verified", True)]
    # When the query changes to other columns, Then the fields follow (no "system fields cannot be deleted")
    updated = shop.admin.update("emails", {"viewQuery": "SELECT id, emailVisibility AS shown FROM people"})
    assert [f.name for f in updated.fields] == ["id", "shown"]


def test_an_import_creates_views_after_their_sources_and_builds_them(shop: Shop) -> None:
    # Given an import listing a view before the collection it reads
    shop.admin.import_collections({"collections": [
        {"name": "cheap", "type": "view", "viewQuery": "SELECT id, price FROM items WHERE price < 10"},
        {"name": "items", "type": "base", "fields": [{"name": "price", "type": "number"}]}]})
    # When records are written and the stream's changes applied
    cheap = shop.write("create", "items", {"price": 3})
    shop.write("create", "items", {"price": 30})
    drain(shop.jobs)
    shop.maintain()
    # Then the imported view has its fields and rows
    assert [f.name for f in shop.collections.get("cheap").collection.fields] == ["id", "price"]
    assert shop.rows("cheap") == {cheap: {"price": 3}}


@pytest.mark.parametrize("change", ["rename the collection", "rename the field", "remove the field"])
def test_a_source_change_that_would_break_a_view_is_refused(shop: Shop, change: str) -> None:
    # Given a view selecting the invoices' title
    shop.admin.create({"name": "titles", "type": "view", "viewQuery": "SELECT id, title FROM invoices"})
    fields = shop.collections.get("invoices").collection.to_api_json()["fields"]
    body: dict[str, Any] = {"name": "bills"} if change == "rename the collection" else {
        "fields": [{**f, "name": "heading"} if f["name"] == "title" else f for f in fields]
        if change == "rename the field" else [f for f in fields if f["name"] != "title"]}
    # When the source changes so, Then 400 naming the view, and the source is unchanged
    with pytest.raises(BadRequestError, match="the view titles would break"):
        shop.admin.update("invoices", body)
    assert shop.collections.get("invoices").collection.field_by_name("title") is not None


class RacingRecords(NoScanRecords):
    """Before the first write of a view row, another (stale) recompute writes that row: a race between two."""

    view_id = ""
    raced = False

    def write(self, writes: list[RecordWrite]) -> None:
        first = writes[0]
        if not self.raced and first.record.collection_id == self.view_id:
            self.raced = True
            current = self.get(self.view_id, first.record.id, ReadMeter())
            stale = {k: "stale" for k in first.record.data}
            super().write([RecordWrite(kind="create", record=StoredRecord(self.view_id, first.record.id, stale))]
                          if current is None else
                          [RecordWrite(kind="update", record=StoredRecord(self.view_id, current.id, stale,
                                                                          current.version + 1),
                                       changed=stale, expected_version=current.version)])
        super().write(writes)


def test_a_recompute_that_loses_a_race_retries_with_fresh_reads() -> None:
    # Given a view, on storage where a stale recompute writes the row just before ours
    racing = RacingRecords()
    world = Shop(racing)
    racing.view_id = world.admin.create({"name": "titles", "type": "view",
                                         "viewQuery": "SELECT id, title FROM invoices"}).id
    record = world.write("create", "invoices", {"title": "fresh"})
    # When the change is maintained
    world.maintain()
    # Then our write conflicted, was retried, and the row holds the fresh value, not the racer's
    assert racing.raced
    assert world.rows("titles") == {record: {"title": "fresh"}}


def test_joins_chain_along_joined_collections_and_follow_each_link(shop: Shop) -> None:
    # Given regions <- customers <- invoices, and a view joining all three
    regions = shop.admin.create({"name": "regions", "fields": [{"name": "name", "type": "text"}]})
    fields = [f.to_json() for f in shop.collections.get("customers").collection.fields]
    shop.admin.update("customers", {"fields": [*fields, {"name": "region", "type": "relation",
                                                         "collectionId": regions.id, "maxSelect": 1}]})
    north = shop.write("create", "regions", {"name": "North"})
    south = shop.write("create", "regions", {"name": "South"})
    ann = shop.write("create", "customers", {"name": "Ann", "region": north})
    inv = shop.write("create", "invoices", {"title": "a", "total": 3, "customer": ann})
    shop.admin.create({"name": "by_region", "type": "view", "viewQuery": (
        "SELECT i.id, i.title, c.name AS cname, r.name AS rname FROM invoices i LEFT JOIN customers c ON "
        "c.id = i.customer LEFT JOIN regions r ON r.id = c.region")})
    drain(shop.jobs)
    shop.log = []
    assert shop.rows("by_region") == {inv: {"title": "a", "cname": "Ann", "rname": "North"}}
    # When the far end is renamed, Then the row follows through both reverse indexes, with no scan
    shop.write("update", "regions", {"name": "Nord"}, north)
    shop.records.scans = 0
    shop.maintain()
    assert shop.records.scans == 0
    assert shop.rows("by_region") == {inv: {"title": "a", "cname": "Ann", "rname": "Nord"}}
    # When the middle record is re-linked to another region, Then the row follows too
    shop.write("update", "customers", {"region": south}, ann)
    shop.maintain()
    assert shop.rows("by_region") == {inv: {"title": "a", "cname": "Ann", "rname": "South"}}
