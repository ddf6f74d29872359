"""Formula fields over HTTP: defined on a collection, stored by every write, filtered, sorted, shown to clients."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import Api, unique

pytestmark = pytest.mark.api


def _invoices_body(name: str, *extra: dict[str, Any], indexes: list[str] | None = None) -> dict[str, Any]:
    return {"name": name, "type": "base", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
            "indexes": indexes or [],
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "price", "type": "number"},
                {"name": "qty", "type": "number"},
                {"name": "due", "type": "date"},
                {"name": "total", "type": "formula", "formula": "{price} * {qty}"},
                {"name": "size", "type": "formula", "formula": 'IF({total} > 1000, "big", "small")'},
                {"name": "per_item", "type": "formula", "formula": "{total} / {qty}"},
                {"name": "label", "type": "formula",
                 "formula": 'UPPER(LEFT(title, 3)) & "-" & DATETIME_FORMAT(due, "YYYY-MM")'},
                *extra]}


@pytest.fixture(scope="module")
def invoices(api: Api) -> str:
    name = unique("invoices")
    api.create_collection(_invoices_body(name))
    return name


def test_formula_values_are_stored_on_create_and_follow_updates(api: Api, invoices: str) -> None:
    # Given a record with a price and a quantity
    created = api.create_record(invoices, {"title": "desk", "price": 300, "qty": 4, "due": "2024-02-29 10:00:00Z"})
    # Then its formulas hold the computed values, chained in dependency order
    assert created["total"] == 1200
    assert created["size"] == "big"
    assert created["per_item"] == 300
    assert created["label"] == "DES-2024-02"
    # When the quantity changes
    updated = api.ok("PATCH", f"/api/collections/{invoices}/records/{created['id']}", json={"qty": 2})
    # Then every formula reading it follows in the same write, and a read sees the stored values
    assert (updated["total"], updated["size"]) == (600, "small")
    fetched = api.ok("GET", f"/api/collections/{invoices}/records/{created['id']}")
    assert (fetched["total"], fetched["size"], fetched["per_item"]) == (600, "small", 300)


def test_a_client_value_for_a_formula_is_ignored(api: Api, invoices: str) -> None:
    # When a body sets a formula's value, as PocketBase ignores one for an autodate field
    created = api.create_record(invoices, {"title": "chair", "price": 10, "qty": 3, "total": 999999})
    # Then the computed value wins
    assert created["total"] == 30


def test_an_evaluation_error_stores_null_with_a_marker_and_the_write_succeeds(api: Api, invoices: str) -> None:
    # When a record's values make a formula fail (division by zero)
    created = api.create_record(invoices, {"title": "free", "price": 5, "qty": 0})
    # Then the write succeeds, the value is null and the marker says why
    assert created["per_item"] is None
    assert created["per_item:error"] == "Division by zero."
    assert "total:error" not in created
    # And once the values are fixed, the marker goes
    fixed = api.ok("PATCH", f"/api/collections/{invoices}/records/{created['id']}", json={"qty": 1})
    assert fixed["per_item"] == 5
    assert "per_item:error" not in fixed


def test_filter_and_sort_by_a_formula(api: Api) -> None:
    # Given three invoices
    name = unique("invoices")
    api.create_collection(_invoices_body(name))
    for title, price, qty in (("a", 100, 20), ("b", 10, 1), ("c", 50, 10)):
        api.create_record(name, {"title": title, "price": price, "qty": qty})
    # When listing the big ones, and all sorted by total descending
    big = api.list_records(name, filter='size = "big"')
    by_total = api.list_records(name, sort="-total")
    # Then the formula filters and sorts like a stored field
    assert [r["title"] for r in big["items"]] == ["a"]
    assert [r["total"] for r in by_total["items"]] == [2000, 500, 10]
    assert [r["title"] for r in api.list_records(name, filter="total >= 500 && total < 2000")["items"]] == ["c"]


def test_an_index_on_a_formula_serves_an_equality_filter(api: Api) -> None:
    # Given a collection indexed on a formula
    name = unique("invoices")
    api.create_collection(_invoices_body(name, indexes=[f"CREATE INDEX idx_size_{name} ON {name} (size)"]))
    api.wait_index_ready(name, f"idx_size_{name}")
    for price in (1, 2000, 3000):
        api.create_record(name, {"title": "x", "price": price, "qty": 1})
    # When filtering on it
    found = api.list_records(name, filter='size = "big"', sort="total")
    # Then the index answers with the records whose stored formula matches
    assert [r["total"] for r in found["items"]] == [2000, 3000]


def _field_error(response: Any, position: int, option: str = "formula") -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"status", "message", "data"}
    return dict(body["data"]["fields"][str(position)][option])


@pytest.mark.parametrize(("formula", "code", "column"), [
    ("{price} * {missing}", "validation_formula_unknown_field", 11),
    ("NOPE({price})", "validation_formula_unknown_function", 1),
    ("ROUND()", "validation_formula_wrong_arity", 1),
    ("{due} * 2", "validation_formula_type_mismatch", 1),
    ("YEAR({price})", "validation_formula_type_mismatch", 6),
    ("{price} +", "validation_formula_syntax", 10),
    ("", "validation_empty_formula", 1),
])
def test_a_bad_definition_is_a_400_naming_the_problem_and_its_position(api: Api, formula: str, code: str,
                                                                        column: int) -> None:
    # When a collection is created with a bad formula
    body = _invoices_body(unique("bad"), {"name": "broken", "type": "formula", "formula": formula})
    response = api.request("POST", "/api/collections", json=body)
    # Then the 400 points at the field and the position in its formula
    error = _field_error(response, 9)
    assert error["code"] == code
    assert error["params"]["column"] == column
    # And nothing was saved
    assert api.request("GET", f"/api/collections/{body['name']}").status_code == 404


def test_a_reference_cycle_between_formulas_is_a_400_naming_it(api: Api) -> None:
    # When two formulas read each other
    name = unique("cyclic")
    body = {"name": name, "type": "base", "fields": [
        {"name": "a", "type": "formula", "formula": "{b} + 1"},
        {"name": "b", "type": "formula", "formula": "{a} * 2"}]}
    response = api.request("POST", "/api/collections", json=body)
    # Then the 400 names the cycle on the first field in it, and nothing is saved
    error = _field_error(response, 1)
    assert error["code"] == "validation_computed_cycle"
    assert f"{name}.a" in error["message"] and f"{name}.b" in error["message"]
    assert api.request("GET", f"/api/collections/{name}").status_code == 404


def test_an_update_that_would_close_a_cycle_is_refused(api: Api) -> None:
    # Given a valid chain a -> b
    name = unique("chain")
    created = api.create_collection({"name": name, "type": "base", "fields": [
        {"name": "n", "type": "number"},
        {"name": "a", "type": "formula", "formula": "{n} + 1"},
        {"name": "b", "type": "formula", "formula": "{a} * 2"}]})
    # When a is changed to read b
    fields = created["fields"]
    next(f for f in fields if f["name"] == "a")["formula"] = "{b} + 1"
    response = api.request("PATCH", f"/api/collections/{name}", json={"fields": fields})
    # Then it is a 400 and the stored definition is unchanged
    assert _field_error(response, 2)["code"] == "validation_computed_cycle"
    stored = api.ok("GET", f"/api/collections/{name}")
    assert next(f for f in stored["fields"] if f["name"] == "a")["formula"] == "{n} + 1"


def test_now_is_evaluated_on_read(api: Api) -> None:
    # Given a formula over NOW()
    name = unique("clock")
    api.create_collection({"name": name, "type": "base", "listRule": "", "fields": [
        {"name": "since", "type": "date"},
        {"name": "age_days", "type": "formula", "formula": "DATETIME_DIFF(NOW(), {since}, 'days')"},
        {"name": "old", "type": "formula", "formula": "{age_days} > 30"}]})
    created = api.create_record(name, {"since": "2020-01-01 00:00:00Z"})
    # When it is read
    fetched = api.ok("GET", f"/api/collections/{name}/records/{created['id']}")
    # Then the value is today's, not one frozen at write time, and a formula reading it is on read too
    expected = (datetime.now(UTC) - datetime(2020, 1, 1, tzinfo=UTC)).days
    assert fetched["age_days"] in (expected, expected + 1)
    assert fetched["old"] is True
    # And filters see the value of now
    assert api.list_records(name, filter="old = true")["totalItems"] == 1


def test_sorting_or_indexing_by_a_time_dependent_formula_is_a_400(api: Api) -> None:
    # Given a collection with a NOW() formula
    name = unique("clock")
    fields = [{"name": "since", "type": "date"},
              {"name": "age", "type": "formula", "formula": "DATETIME_DIFF(NOW(), {since}, 'days')"}]
    api.create_collection({"name": name, "type": "base", "listRule": "", "fields": fields})
    # When a list sorts by it
    sorted_response = api.request("GET", f"/api/collections/{name}/records", params={"sort": "age"})
    # Then it is a clear 400
    assert sorted_response.status_code == 400
    assert sorted_response.json()["data"]["sort"]["code"] == "validation_time_dependent_sort"
    # When an index is declared on it
    response = api.request("PATCH", f"/api/collections/{name}",
                           json={"indexes": [f"CREATE INDEX idx_age_{name} ON {name} (age)"]})
    # Then that is a 400 too
    assert response.status_code == 400
    assert response.json()["data"]["indexes"]["0"]["code"] == "validation_time_dependent_index"


def test_a_pocketbase_client_sees_plain_values_and_a_read_only_field_shape(api: Api, invoices: str) -> None:
    # When a client reads the collection and lists its records
    collection = api.ok("GET", f"/api/collections/{invoices}")
    listed = api.list_records(invoices, perPage=1, sort="-total")
    # Then the field keeps PocketBase's common keys, plus the additive formula options
    field = next(f for f in collection["fields"] if f["name"] == "size")
    assert {"id", "name", "type", "system", "hidden", "presentable", "help"} <= set(field)
    assert (field["formula"], field["resultType"]) == ('IF({total} > 1000, "big", "small")', "text")
    # And each record's formula values are plain JSON values (numbers, text), not objects
    record = listed["items"][0]
    assert isinstance(record["total"], int | float) and isinstance(record["size"], str)


def test_a_display_format_applies_on_read_only(api: Api) -> None:
    # Given formulas with currency, percent and date formats
    name = unique("fmt")
    api.create_collection({"name": name, "type": "base", "listRule": "", "fields": [
        {"name": "amount", "type": "number"},
        {"name": "due", "type": "date"},
        {"name": "price", "type": "formula", "formula": "{amount} * 1.5",
         "format": {"style": "currency", "currency": "€", "decimals": 2}},
        {"name": "share", "type": "formula", "formula": "{amount} / 8",
         "format": {"style": "percent", "decimals": 1}},
        {"name": "when", "type": "formula", "formula": "DATEADD({due}, 1, 'month')",
         "format": {"date": "MMMM D, YYYY HH:mm", "timeZone": "Europe/Paris"}}]})
    created = api.create_record(name, {"amount": 1001, "due": "2024-01-31 23:30:00Z"})
    # Then the values read formatted, while filters compare the stored value
    assert created["price"] == "€1,501.50"
    assert created["share"] == "12,512.5%"
    assert created["when"] == "March 1, 2024 00:30"
    assert api.list_records(name, filter="price = 1501.5")["totalItems"] == 1


def test_a_batch_stores_formulas_for_each_request(api: Api, invoices: str) -> None:
    # When one batch creates a record and then changes it
    url = f"/api/collections/{invoices}/records"
    created = api.ok("POST", "/api/batch", json={"requests": [
        {"method": "POST", "url": url, "body": {"id": "batchformula001", "title": "lamp", "price": 20, "qty": 2}},
        {"method": "PATCH", "url": f"{url}/batchformula001", "body": {"qty": 100}}]})
    # Then each answer, and the stored record, carry the formulas of that step
    assert [r["body"]["total"] for r in created] == [40, 2000]
    assert api.ok("GET", f"{url}/batchformula001")["size"] == "big"


def test_a_formula_over_a_relation_follows_when_a_delete_unlinks_it(api: Api) -> None:
    # Given tasks whose formula counts their tags, and two tags on one task
    tags = unique("tags")
    api.create_collection({"name": tags, "type": "base", "fields": [{"name": "name", "type": "text"}]})
    tag_id = api.ok("GET", f"/api/collections/{tags}")["id"]
    tasks = unique("tasks")
    api.create_collection({"name": tasks, "type": "base", "fields": [
        {"name": "tags", "type": "relation", "collectionId": tag_id, "maxSelect": 5},
        {"name": "tag_count", "type": "formula", "formula": "COUNTA({tags})"}]})
    first, second = (api.create_record(tags, {"name": n})["id"] for n in ("a", "b"))
    task = api.create_record(tasks, {"tags": [first, second]})
    assert task["tag_count"] == 2
    # When one tag is deleted, which unlinks it from the task
    api.ok("DELETE", f"/api/collections/{tags}/records/{first}", status=204)
    # Then the task's formula was recomputed in that same write
    assert api.ok("GET", f"/api/collections/{tasks}/records/{task['id']}")["tag_count"] == 1


def test_adding_a_formula_to_a_collection_with_records_backfills_it(api: Api, stack: InProcessStack) -> None:
    # Given records written before any formula, and a short settle time before jobs start
    name = unique("formula_backfill")
    api.create_collection({"name": name, "type": "base", "fields": [{"name": "qty", "type": "number"}]})
    ids = [api.create_record(name, {"qty": qty})["id"] for qty in (2, 5)]
    with stack.configured(LB_JOBS_SETTLE_S="2"):
        # When a formula is added
        fields = api.ok("GET", f"/api/collections/{name}")["fields"]
        saved = api.ok("PATCH", f"/api/collections/{name}", json={"fields": [
            *fields, {"name": "double", "type": "formula", "formula": "{qty} * 2"}]})
        # Then the save shows the backfill, and the job stores the value on every record written before it
        assert saved["computedStates"] == [{"name": "double", "state": "building", "seen": 0}]
        deadline = time.monotonic() + 60
        values: list[Any] = []
        while time.monotonic() < deadline:
            values = [api.ok("GET", f"/api/collections/{name}/records/{i}")["double"] for i in ids]
            if values == [4, 10]:
                break
            time.sleep(0.2)
        assert values == [4, 10]
