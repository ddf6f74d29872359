"""Views grouped by columns on the in-memory repositories: built from sums, kept per change exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from shared.changes.accumulators import InMemoryAccumulatorStore
from shared.errors import BadRequestError
from shared.jobs.runner import drain
from shared.records.model import ReadMeter
from shared.views.maintenance import SourceChange, ViewsReport, apply_view_changes, view_definitions
from tests.unit.views.test_view_maintenance import NoScanRecords, Shop

BY_STATUS = ("SELECT status AS id, COUNT(*) AS n, COUNT(note) AS notes, SUM(total) AS sum, AVG(total) AS avg "
             "FROM orders WHERE total >= 0 GROUP BY status")
BY_TWO = ("SELECT status || '-' || CAST(paid AS TEXT) AS id, status, paid, COUNT(*) AS n, SUM(total) AS sum "
          "FROM orders GROUP BY status, paid")


class IndexQueries(NoScanRecords):
    """Counts index queries: a group's members are read only when its extreme was removed."""

    queries = 0

    def query(self, plan: Any, meter: ReadMeter, *, want: int, drain: bool = False) -> Any:
        self.queries += 1
        return super().query(plan, meter, want=want, drain=drain)


class Orders(Shop):
    """The shop plus orders (a select, a bool, a number, a text), its stream numbered like DynamoDB's."""

    def __init__(self, records: NoScanRecords | None = None) -> None:
        super().__init__(records or IndexQueries())
        self.accumulators = InMemoryAccumulatorStore()
        self.jobs.accumulators = self.accumulators
        self.admin.create({"name": "orders", "fields": [
            {"name": "status", "type": "select", "values": ["open", "paid", "void"], "maxSelect": 1},
            {"name": "paid", "type": "bool"}, {"name": "total", "type": "number"}, {"name": "note", "type": "text"},
            {"name": "customer", "type": "relation", "collectionId": self.customers.id, "maxSelect": 1}],
            "indexes": ["CREATE INDEX idx_orders_status ON orders (status)"]})
        self.sequence = 0

    def write(self, action: str, collection: str, body: dict[str, Any] | None = None, record_id: str = "") -> str:
        rid = super().write(action, collection, body, record_id)
        self.sequence += 1
        change = self.log[-1]
        self.log[-1] = SourceChange(change.collection_id, change.record_id, change.old_data, change.new_data,
                                    shard=0, sequence=self.sequence)
        return rid

    def maintain(self, changes: list[SourceChange] | None = None) -> ViewsReport:
        changes = self.log if changes is None else changes
        self.log = []
        stored = self.collections.all()
        definitions = view_definitions((s.collection for s in stored), self._find)
        layouts = {s.collection.id: s.layout for s in stored}
        return apply_view_changes(changes, definitions, self.records, self.accumulators, layouts)


@pytest.fixture
def orders() -> Orders:
    return Orders()


def test_groups_by_a_select_are_built_then_follow_each_change_exactly_once(orders: Orders) -> None:
    # Given orders written before the view
    a = orders.write("create", "orders", {"status": "open", "total": 4, "note": "x"})
    orders.write("create", "orders", {"status": "open", "total": 6.5})
    orders.write("create", "orders", {"status": "paid", "total": 10})
    orders.write("create", "orders", {"status": "void", "total": -1})  # left out by the WHERE
    orders.log = []  # written before the view: the build counts them
    # When the view is created and built
    orders.admin.create({"name": "by_status", "type": "view", "viewQuery": BY_STATUS})
    drain(orders.jobs)
    # Then each group holds SQLite's COUNT, SUM and AVG (an empty text is '' in PocketBase's tables, not NULL)
    assert orders.rows("by_status") == {"open": {"n": 2, "notes": 2, "sum": 10.5, "avg": 5.25},
                                        "paid": {"n": 1, "notes": 1, "sum": 10, "avg": 10.0}}
    assert orders.collections.get("by_status").layout.view_build.done  # type: ignore[union-attr]
    # When an order moves from open to paid, one is added, and one deleted, and the batch is delivered twice
    orders.write("update", "orders", {"status": "paid", "total": 5}, a)
    b = orders.write("create", "orders", {"status": "void", "total": 2})
    orders.write("delete", "orders", record_id=b)
    batch = list(orders.log)
    scans = orders.records.scans
    orders.maintain(batch)
    orders.maintain(batch)
    # Then no group was found by a scan, and every group converged once
    assert orders.records.scans == scans
    assert orders.rows("by_status") == {"open": {"n": 1, "notes": 1, "sum": 6.5, "avg": 6.5},
                                        "paid": {"n": 2, "notes": 2, "sum": 15, "avg": 7.5}}


def test_several_group_columns_and_an_emptied_group(orders: Orders) -> None:
    # Given a view grouped by a select and a bool, its id joining them
    orders.admin.create({"name": "by_two", "type": "view", "viewQuery": BY_TWO})
    drain(orders.jobs)
    x = orders.write("create", "orders", {"status": "open", "paid": True, "total": 3})
    orders.write("create", "orders", {"status": "open", "paid": False, "total": 1})
    orders.maintain()
    assert orders.rows("by_two") == {"open-1": {"status": "open", "paid": True, "n": 1, "sum": 3},
                                     "open-0": {"status": "open", "paid": False, "n": 1, "sum": 1}}
    # When the only record of a group leaves it, Then the group's row goes
    orders.write("update", "orders", {"paid": False}, x)
    orders.maintain()
    assert orders.rows("by_two") == {"open-0": {"status": "open", "paid": False, "n": 2, "sum": 4}}


def test_changes_before_the_build_reaches_a_record_are_the_builds(orders: Orders) -> None:
    # Given a view created over existing orders, its build not run yet
    a = orders.write("create", "orders", {"status": "open", "total": 1})
    orders.log = []
    orders.admin.create({"name": "by_status", "type": "view", "viewQuery": BY_STATUS})
    # When an order changes before the build reaches it (the stream skips it), and then the build runs
    orders.write("update", "orders", {"total": 7}, a)
    orders.maintain()
    drain(orders.jobs)
    # Then it is counted once, at its current value
    assert orders.rows("by_status") == {"open": {"n": 1, "notes": 1, "sum": 7, "avg": 7.0}}


def test_min_and_max_are_recomputed_through_the_index_only_when_the_extreme_leaves() -> None:
    # Given a view of each status's lowest and highest total, over an index of orders on status
    records = IndexQueries()
    orders = Orders(records)
    low = orders.write("create", "orders", {"status": "open", "total": 1})
    mid = orders.write("create", "orders", {"status": "open", "total": 4})
    high = orders.write("create", "orders", {"status": "open", "total": 9})
    orders.log = []
    orders.admin.create({"name": "span", "type": "view", "viewQuery":
                         "SELECT status AS id, MIN(total) AS low, MAX(total) AS high, COUNT(*) AS n FROM orders "
                         "GROUP BY status"})
    drain(orders.jobs)
    assert orders.rows("span") == {"open": {"low": 1, "high": 9, "n": 3}}
    # When a value that is no extreme changes, and a new lowest one is added
    orders.write("update", "orders", {"total": 5}, mid)
    orders.write("create", "orders", {"status": "open", "total": 0.5})
    queries = records.queries
    orders.maintain()
    # Then no member is read: the extremes follow from the row and the change
    assert records.queries == queries
    assert orders.rows("span") == {"open": {"low": 0.5, "high": 9, "n": 4}}
    # When the highest leaves the group, and the old lowest is deleted
    orders.write("update", "orders", {"status": "paid"}, high)
    orders.write("delete", "orders", record_id=low)
    orders.maintain()
    # Then the group's extremes are recomputed from its members, found through the index, never a scan
    assert records.queries > queries
    assert orders.rows("span") == {"open": {"low": 0.5, "high": 5, "n": 2}, "paid": {"low": 9, "high": 9, "n": 1}}


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT paid AS id, MIN(total) AS low FROM orders GROUP BY paid", "needs an index of orders on the GROUP BY"),
    ("SELECT o.status AS id, COUNT(*) AS n FROM orders o LEFT JOIN customers c ON c.id = o.customer "
     "GROUP BY o.status", "LEFT JOIN in a view grouped by"),
])
def test_what_sums_cannot_follow_is_refused(orders: Orders, query: str, message: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        orders.admin.create({"name": "refused", "type": "view", "viewQuery": query})
    assert message in str(raised.value.data)


def test_definitions_skip_a_view_not_yet_built(orders: Orders) -> None:
    # Given a column-grouped view whose layout names no build (a catalog written before builds were named)
    orders.admin.create({"name": "by_status", "type": "view", "viewQuery": BY_STATUS})
    stored = orders.collections.get("by_status")
    stored.layout.view_build = None
    orders.collections.save(stored)
    orders.write("create", "orders", {"status": "open", "total": 1})
    # When its changes are maintained, Then nothing is written (no job counts for it)
    assert orders.maintain().rows_written == 0
    assert list(orders.records.scan(stored.collection.id, ReadMeter())) == []
    assert view_definitions([stored.collection], orders._find)[0].column_grouped


def test_the_index_a_view_needs_for_min_and_max_cannot_be_dropped(orders: Orders) -> None:
    # Given a view of each status's highest total, served by the orders' index on status
    orders.admin.create({"name": "tops", "type": "view",
                         "viewQuery": "SELECT status AS id, MAX(total) AS top FROM orders GROUP BY status"})
    # When the index is dropped, Then the change is refused: the view would break
    with pytest.raises(BadRequestError, match=r"the view tops would break: .*needs an index"):
        orders.admin.update("orders", {"indexes": []})
