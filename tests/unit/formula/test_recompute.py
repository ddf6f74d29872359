"""recompute: a collection's formulas in dependency order, only those a change reaches; and an import stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError
from shared.records.computed import recompute, recomputed_changes
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.scope import RecordScope

NOW = datetime(2024, 3, 12, tzinfo=UTC)
FIELDS = [
    {"name": "price", "type": "number"},
    {"name": "qty", "type": "number"},
    {"name": "note", "type": "text"},
    {"name": "label", "type": "formula", "formula": 'IF({total} > 100, "big", "small")'},
    {"name": "total", "type": "formula", "formula": "{price} * {qty}"},
    {"name": "shout", "type": "formula", "formula": "UPPER({note})"},
]


def orders() -> Collection:
    return validate_collection({"name": "orders", "type": "base", "fields": FIELDS}, existing=None,
                               find_collection=lambda _: None, check_rule=lambda _: None)


def ids(collection: Collection) -> dict[str, str]:
    return {f.name: f.id for f in collection.fields}


def by_name(collection: Collection, data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(fid) for name, fid in ids(collection).items()}


def test_formulas_are_computed_after_the_formulas_they_read() -> None:
    # Given label reads total, declared before it
    collection = orders()
    f = ids(collection)
    # When every formula is recomputed
    out = by_name(collection, recompute(collection, {f["price"]: 30, f["qty"]: 4, f["note"]: "hi"}, changed=None,
                                        now=NOW))
    # Then total is computed first, so label sees it
    assert (out["total"], out["label"], out["shout"]) == (120, "big", "HI")


def test_only_the_formulas_a_change_reaches_are_recomputed() -> None:
    # Given stored values where shout is stale on purpose
    collection = orders()
    f = ids(collection)
    data = {f["price"]: 1, f["qty"]: 1, f["note"]: "new", f["total"]: 1, f["label"]: "small", f["shout"]: "OLD"}
    # When only price changed
    out = by_name(collection, recompute(collection, {**data, f["price"]: 500}, changed={f["price"]}, now=NOW))
    # Then total and label (through total) follow, and shout is left alone
    assert (out["total"], out["label"], out["shout"]) == (500, "big", "OLD")


def test_the_input_is_not_modified_and_errors_are_markers() -> None:
    # Given a formula that fails on these values
    collection = validate_collection({"name": "ratios", "type": "base", "fields": [
        {"name": "a", "type": "number"}, {"name": "b", "type": "number"},
        {"name": "ratio", "type": "formula", "formula": "{a} / {b}"}]}, existing=None,
        find_collection=lambda _: None, check_rule=lambda _: None)
    f = ids(collection)
    data = {f["a"]: 1, f["b"]: 0}
    # When recomputed
    out = recompute(collection, data, changed=None, now=NOW)
    # Then the value is null, the marker holds the message, and the input is untouched
    assert out[f["ratio"]] is None and out[f"{f['ratio']}:error"] == "Division by zero."
    assert data == {f["a"]: 1, f["b"]: 0}
    # And once the values are fixed, the marker is cleared (and none is kept for formulas that never failed)
    fixed = recompute(collection, {**out, f["b"]: 4}, changed={f["b"]}, now=NOW)
    assert fixed[f["ratio"]] == 0.25 and fixed[f"{f['ratio']}:error"] is None
    assert f"{f['ratio']}:error" not in recompute(collection, {f["a"]: 1, f["b"]: 2}, changed=None, now=NOW)


def test_a_formula_reading_a_secret_is_refused() -> None:
    # When an auth collection's formula reads the password hash or the token key
    for secret in ("password", "tokenKey"):
        with pytest.raises(BadRequestError) as raised:
            validate_collection({"name": "members", "type": "auth", "fields": [
                {"name": "leak", "type": "formula", "formula": f"{{{secret}}}"}]}, existing=None,
                find_collection=lambda _: None, check_rule=lambda _: None)
        # Then it is an unknown field
        assert "validation_formula_unknown_field" in str(raised.value.data)


def test_an_import_stores_the_formulas_of_every_row() -> None:
    # Given a collection with formulas in memory storage
    collections = InMemoryCollectionRepository()
    records = InMemoryRecordRepository(collections.shard_count)
    CollectionsAdmin(collections, records).create({"name": "orders", "type": "base", "listRule": "",
                                                   "fields": FIELDS})
    # When rows are imported
    import_records(collections, records, "orders", [{"price": 10, "qty": 20}, {"price": 1, "qty": 2, "total": 9}])
    # Then every row carries its computed values (a row's own value for a formula is ignored)
    scope = RecordScope(collections, records, RequestContext(system=True))
    items = scope.reader.list_page("orders", {"sort": "total", "skipTotal": "1"})["items"]
    assert [(i["total"], i["label"]) for i in items] == [(2, "small"), (200, "big")]


def test_an_error_spreads_to_the_formulas_reading_it_unless_they_ask_iserror() -> None:
    # Given ratio fails, doubled reads it, and guarded asks ISERROR
    collection = validate_collection({"name": "ratios", "type": "base", "fields": [
        {"name": "a", "type": "number"}, {"name": "b", "type": "number"},
        {"name": "ratio", "type": "formula", "formula": "{a} / {b}"},
        {"name": "doubled", "type": "formula", "formula": "{ratio} * 2"},
        {"name": "guarded", "type": "formula", "formula": 'IF(ISERROR({ratio}), "n/a", {ratio})'}]},
        existing=None, find_collection=lambda _: None, check_rule=lambda _: None)
    f = ids(collection)
    # When computed in the write, and again when only b's neighbour changes (ratio's marker read from storage)
    out = recompute(collection, {f["a"]: 1, f["b"]: 0}, changed=None, now=NOW)
    again = recompute(collection, {**out, f["doubled"]: None}, changed={f["ratio"]}, now=NOW)
    # Then doubled is an error naming its cause, as Airtable's #ERROR! spreads, and guarded is not
    for data in (out, again):
        assert data[f["doubled"]] is None
        assert data[f"{f['doubled']}:error"] == "{ratio} has an error: Division by zero."
        assert data[f["guarded"]] == "n/a" and f"{f['guarded']}:error" not in data


def test_recomputed_changes_are_only_what_a_derived_write_must_set() -> None:
    # Given a stored record whose total was derived elsewhere (as a rollup would be) and just changed
    collection = orders()
    f = ids(collection)
    stored = {f["price"]: 10, f["qty"]: 10, f["note"]: "x", f["total"]: 100, f["label"]: "small", f["shout"]: "X"}
    # When the derived value is written and the formulas over it recomputed
    changes = recomputed_changes(collection, {**stored, f["qty"]: 20}, changed={f["qty"]}, now=NOW)
    # Then only the formulas that moved are in the changes
    assert changes == {f["total"]: 200, f["label"]: "big"}
