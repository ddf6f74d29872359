"""The computed-field dependency graph: cycles across collections, evaluation order, the clock's reach.

The foreign dependency is a stub computed field (a rollup-like field reading another collection's field):
the real lookup/rollup types plug into the same `depends_on` contract.
"""

from __future__ import annotations

from typing import Any, Literal

from shared.collections.computed_graph import evaluation_order, find_cycle, time_dependent_names
from shared.collections.fields import TextField
from shared.collections.fields.computed import ComputedField, FieldRef, FindCollection
from shared.collections.model import Collection


class StubDerived(ComputedField):
    """Reads `reads` (collection id, field name) pairs; clock-bound when `clock` is set."""

    type: Literal["stub"] = "stub"
    reads: list[tuple[str, str]] = []
    clock: bool = False
    in_write: bool = True

    def depends_on(self, collection: Collection, find_collection: FindCollection) -> set[FieldRef]:
        return {FieldRef(c, n) for c, n in self.reads}

    @property
    def time_dependent(self) -> bool:
        return self.clock


class InWriteStub(StubDerived):
    computed_in_write = True


def collection(cid: str, *fields: Any) -> Collection:
    return Collection.model_construct(id=cid, name=cid, type="base",
                                      fields=[TextField(id=f"{cid}_id", name="id", primary_key=True), *fields])


def catalog(*collections: Collection) -> FindCollection:
    by_key = {c.id: c for c in collections}
    return lambda key: by_key.get(key)


def test_a_cycle_through_a_foreign_collection_is_found_and_named() -> None:
    # Given invoices.total reads line_items.amount, and line_items.amount reads invoices.total
    items = collection("line_items", StubDerived(id="a1", name="amount", reads=[("invoices", "total")]))
    invoices = collection("invoices", StubDerived(id="t1", name="total", reads=[("line_items", "amount")]))
    # When the graph is checked for invoices as it would be saved
    error = find_cycle(invoices, catalog(items))
    # Then the cycle names both fields and closes on itself
    assert error is not None
    assert set(error.names) == {"invoices.total", "line_items.amount"}
    assert error.cycle[0] == error.cycle[-1]


def test_no_cycle_when_the_foreign_field_reads_plain_fields() -> None:
    # Given line_items.amount reads a plain field only
    items = collection("line_items", StubDerived(id="a1", name="amount", reads=[("line_items", "price")]),
                       TextField(id="p1", name="price"))
    invoices = collection("invoices", StubDerived(id="t1", name="total", reads=[("line_items", "amount")]))
    # When / Then
    assert find_cycle(invoices, catalog(items)) is None


def test_the_collection_being_saved_replaces_its_stored_version() -> None:
    # Given a stored invoices without the back edge, and the new version that adds it
    items = collection("line_items", StubDerived(id="a1", name="amount", reads=[("invoices", "total")]))
    stored = collection("invoices", TextField(id="t1", name="total"))
    new = collection("invoices", StubDerived(id="t1", name="total", reads=[("line_items", "amount")]))
    # When the new version is checked against a catalog still holding the stored one
    # Then the cycle it would close is found
    assert find_cycle(new, catalog(items, stored)) is not None


def test_evaluation_order_puts_dependencies_first() -> None:
    # Given c reads b, b reads a (all computed in the write)
    orders = collection("orders", InWriteStub(id="c", name="c", reads=[("orders", "b")]),
                        InWriteStub(id="b", name="b", reads=[("orders", "a")]),
                        InWriteStub(id="a", name="a", reads=[("orders", "price")]))
    # When / Then
    assert [f.name for f in evaluation_order(orders)] == ["a", "b", "c"]


def test_a_field_reading_a_clock_bound_one_is_clock_bound_too() -> None:
    # Given age reads NOW (stubbed) and is_old reads age; label reads a plain field
    people = collection("people", InWriteStub(id="a", name="age", clock=True),
                        InWriteStub(id="o", name="is_old", reads=[("people", "age")]),
                        InWriteStub(id="l", name="label", reads=[("people", "name")]))
    # When / Then
    assert time_dependent_names(people) == {"age", "is_old"}
