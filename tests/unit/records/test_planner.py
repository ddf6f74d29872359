"""The planner picks the cheapest plan for a filter and sort, given a collection's index layout."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.layout import plan_layout
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.records import keys
from shared.records.planner import plan_query
from shared.tools.filter import Literal, Operand, parse_filter, parse_sort


def _collection() -> Collection:
    return validate_collection({
        "name": "items", "type": "base",
        "fields": [{"name": "status", "type": "text"}, {"name": "score", "type": "number"},
                   {"name": "kind", "type": "text"}, {"name": "tags", "type": "select", "values": ["a", "b"],
                                                      "maxSelect": 2}],
        "indexes": ["CREATE INDEX idx_status_score ON items (status, score)",
                    "CREATE INDEX idx_kind ON items (kind)"],
    }, existing=None, find_collection=lambda _: None, check_rule=lambda _: None)


def _static(operand: Operand) -> tuple[bool, Any]:
    return (True, operand.value) if isinstance(operand, Literal) else (False, None)


COLLECTION = _collection()
LAYOUT = plan_layout(COLLECTION, None, has_records=False)


@pytest.mark.parametrize(("filter_text", "sort", "kind", "index", "ordered"), [
    ("", "", "scan", None, True),
    ("", "-id", "scan", None, True),
    ("", "-score", "scan", None, False),
    ("id = 'abc'", "", "get", None, True),
    ("status = 'open'", "-score", "index", "idx_status_score", True),
    ("'open' = status && score > 3", "score", "index", "idx_status_score", True),
    ("status = 'open'", "kind", "index", "idx_status_score", False),
    ("kind = 'x'", "", "index", "idx_kind", True),
    ("status = 'open' || kind = 'x'", "", "scan", None, True),
    ("status ?= 'open'", "", "scan", None, True),
    ("score = 3", "", "scan", None, True),
    ("tags = 'a'", "", "scan", None, True),
    ("", "@rowid", "scan", None, True),
    ("", "-@rowid", "scan", None, True),
    ("kind = 'x'", "@rowid", "index", "idx_kind", True),
])
def test_plan_choice(filter_text: str, sort: str, kind: str, index: str | None, ordered: bool) -> None:
    expr = parse_filter(filter_text) if filter_text else None
    plan = plan_query(COLLECTION, LAYOUT, expr, parse_sort(sort), _static)
    assert plan.kind == kind
    assert (plan.index.name if plan.index else None) == index
    assert plan.ordered is ordered


def test_index_plan_keys_and_range() -> None:
    plan = plan_query(COLLECTION, LAYOUT, parse_filter("status = 'open' && score >= 2 && score < 5"),
                      parse_sort("-score"), _static)
    assert plan.partition == keys.index_pk(COLLECTION.id, 1, "open")
    assert plan.forward is False
    assert plan.sort_range is not None
    assert plan.sort_range.lower == keys.encode_value(2.0)
    assert plan.sort_range.upper == keys.encode_value(5.0)


def test_counter_only_for_a_bare_leading_equality() -> None:
    bare = plan_query(COLLECTION, LAYOUT, parse_filter("status = 'open'"), [], _static)
    narrowed = plan_query(COLLECTION, LAYOUT, parse_filter("status = 'open' && kind = 'x'"), [], _static)
    unfiltered = plan_query(COLLECTION, LAYOUT, None, [], _static)
    assert bare.total_counter == bare.partition
    assert narrowed.total_counter is None
    assert unfiltered.total_counter == COLLECTION.id


def test_not_ready_index_is_not_used() -> None:
    layout = plan_layout(COLLECTION, None, has_records=True)
    plan = plan_query(COLLECTION, layout, parse_filter("status = 'open'"), [], _static)
    assert plan.kind == "scan"


@pytest.mark.parametrize(("values"), [[-5, -1.5, 0, 0.25, 1, 10, 1e9], ["", "a", "ab", "b"]])
def test_encoding_preserves_order(values: list[Any]) -> None:
    encoded = [keys.encode_value(v) for v in values]
    assert encoded == sorted(encoded)


def test_fields_the_caller_cannot_see_never_narrow_the_read() -> None:
    # Given an index on status, and a caller for whom status is not visible
    expr = parse_filter("status = 'open'")
    # When the filter is planned for that caller
    plan = plan_query(COLLECTION, LAYOUT, expr, [], _static, lambda name: name != "status")
    # Then no key condition or pushed-down comparison uses it: the residual filter decides alone
    assert plan.kind == "scan" and plan.pushdown == ()
    assert plan.residual is expr
