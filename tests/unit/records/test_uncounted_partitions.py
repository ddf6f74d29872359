"""A single-column UNIQUE index keeps no counter per value: its writes say so, and its totals come from the page."""

from __future__ import annotations

from typing import Any

from shared.catalog.layout import plan_layout
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.records import indexing
from shared.records.planner import plan_query
from shared.tools.filter import Literal, Operand, parse_filter


def _collection() -> Collection:
    return validate_collection({
        "name": "posts", "type": "base",
        "fields": [{"name": "status", "type": "text"}, {"name": "code", "type": "text"},
                   {"name": "owner", "type": "text"}, {"name": "slug", "type": "text"}],
        "indexes": ["CREATE INDEX idx_status ON posts (status)",
                    "CREATE UNIQUE INDEX idx_code ON posts (code)",
                    "CREATE UNIQUE INDEX idx_owner_slug ON posts (owner, slug)",
                    "CREATE UNIQUE INDEX idx_slug_open ON posts (slug) WHERE status = 'open'"],
    }, existing=None, find_collection=lambda _: None, check_rule=lambda _: None)


def _static(operand: Operand) -> tuple[bool, Any]:
    return (True, operand.value) if isinstance(operand, Literal) else (False, None)


COLLECTION = _collection()
LAYOUT = plan_layout(COLLECTION, None, has_records=False)


def _slot(name: str) -> int:
    return next(i.slot for i in LAYOUT.indexes if i.name == name) or 0


def test_a_record_names_the_partitions_of_its_single_column_unique_indexes_as_uncounted() -> None:
    # Given a record of a collection with a plain, a unique, a two-column unique and a partial unique index
    fields = {f.name: f.id for f in COLLECTION.fields}
    data = {fields["status"]: "open", fields["code"]: "c1", fields["owner"]: "o1", fields["slug"]: "s1"}
    # When its index attributes are derived
    attrs = indexing.index_attributes(COLLECTION, LAYOUT, data, "rec1")
    # Then only the single-column, whole-table UNIQUE index's partition is left uncounted
    assert attrs[indexing.UNCOUNTED_ATTR].split() == [f"gsi{_slot('idx_code')}pk"]


def test_a_record_of_a_collection_without_indexes_carries_no_marker() -> None:
    plain = validate_collection({"name": "notes", "type": "base", "fields": [{"name": "t", "type": "text"}]},
                                existing=None, find_collection=lambda _: None, check_rule=lambda _: None)
    assert indexing.index_attributes(plain, plan_layout(plain, None, has_records=False), {}, "r1") == {}


def test_a_unique_value_is_totalled_from_the_page_and_other_partitions_from_their_counter() -> None:
    # When lists filter on one value of each index
    by_code = plan_query(COLLECTION, LAYOUT, parse_filter("code = 'c1'"), [], _static)
    by_status = plan_query(COLLECTION, LAYOUT, parse_filter("status = 'open'"), [], _static)
    by_owner = plan_query(COLLECTION, LAYOUT, parse_filter("owner = 'o1'"), [], _static)
    # Then each reads its index, and only the unique value's total is counted from what the page reads
    assert [p.index.name if p.index else None for p in (by_code, by_status, by_owner)] == [
        "idx_code", "idx_status", "idx_owner_slug"]
    assert by_code.total_counter is None
    assert by_status.total_counter == by_status.partition
    assert by_owner.total_counter == by_owner.partition
