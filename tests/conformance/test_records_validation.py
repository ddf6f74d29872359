"""Conformance of record validation: each field type's options, wrong types, and several invalid fields at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.paired import PairedClient
from tests.conformance.scenario import Case, cases, check

V = "/api/collections/val_items/records"

FIELDS: list[dict[str, Any]] = [
    {"name": "code", "type": "text", "min": 3, "max": 10, "pattern": "^[a-z]+$"},
    {"name": "needed", "type": "text", "required": True},
    {"name": "qty", "type": "number", "min": 1, "max": 10, "onlyInt": True},
    {"name": "price", "type": "number", "min": 0.5},
    {"name": "yes", "type": "bool"},
    {"name": "mustyes", "type": "bool", "required": True},
    {"name": "mail", "type": "email", "onlyDomains": ["example.com"]},
    {"name": "mail2", "type": "email", "exceptDomains": ["spam.example"]},
    {"name": "link", "type": "url", "exceptDomains": ["bad.example"]},
    {"name": "link2", "type": "url", "onlyDomains": ["good.example"]},
    {"name": "note", "type": "editor", "maxSize": 30},
    {"name": "day", "type": "date", "min": "2020-01-01 00:00:00.000Z", "max": "2030-01-01 00:00:00.000Z"},
    {"name": "one", "type": "select", "values": ["a", "b", "c"], "maxSelect": 1},
    {"name": "two", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
    {"name": "meta", "type": "json", "maxSize": 20},
    {"name": "ref", "type": "relation", "collectionId": "${col_val_refs}", "maxSelect": 1},
    {"name": "refs", "type": "relation", "collectionId": "${col_val_refs}", "maxSelect": 2, "minSelect": 1},
    {"name": "spot", "type": "geoPoint"},
    {"name": "uniq", "type": "text"},
]
OK: dict[str, Any] = {"needed": "x", "mustyes": True, "refs": ["${ref1}"]}


def invalid(name: str, differs: str | None = None, **body: Any) -> Case:
    return Case(name, "POST", V, body={**OK, **body}, differs=differs)


CASES = cases(
    Case("a valid record", "POST", V, body=OK),
    Case("every required field missing", "POST", V, body={}),
    invalid("required text blank", needed=""),
    invalid("required bool false", mustyes=False),
    invalid("text below min", code="ab"),
    invalid("text above max", code="abcdefghijk"),
    invalid("text against the pattern", code="ABC1"),
    invalid("text as an object", code={"a": 1}),
    invalid("number below min", qty=0),
    invalid("number above max", qty=11),
    invalid("number not an int", qty=2.5),
    invalid("number as text", qty="many"),
    invalid("float below min", price=0.1),
    invalid("number as a list", qty=[1]),
    invalid("bool as text", yes="maybe"),
    invalid("email malformed", mail="not-an-email"),
    invalid("email outside onlyDomains", mail="a@other.com"),
    invalid("email in exceptDomains", mail2="a@spam.example"),
    invalid("url malformed", link="not a url"),
    invalid("url in exceptDomains", link="https://bad.example/x"),
    invalid("url outside onlyDomains", link2="https://other.example"),
    invalid("url with another scheme", link="ftp://good.example/x"),
    invalid("editor above maxSize", note="x" * 40),
    invalid("date malformed", day="yesterday"),
    invalid("date before min", day="2019-12-31 23:59:59.000Z"),
    invalid("date after max", day="2031-01-01 00:00:00.000Z"),
    invalid("select unknown value", one="z"),
    invalid("multi select unknown value", two=["a", "z"]),
    invalid("multi select above maxSelect", two=["a", "b", "c"]),
    invalid("single select with two values", one=["a", "b"]),
    invalid("json above maxSize", meta={"long": "x" * 30}),
    invalid("relation to a missing record", ref="zzzzzzzzzzzzzzz"),
    invalid("relation above maxSelect", refs=["${ref1}", "${ref2}", "${ref3}"]),
    invalid("relation below minSelect", refs=[]),
    invalid("relation to a record of another collection", ref="${superuser_id}"),
    invalid("geoPoint out of range", spot={"lon": 200, "lat": 100}),
    invalid("geoPoint malformed", spot="here"),
    invalid("several invalid fields at once", code="A", qty=99, mail="x", one="z", day="nope"),
    Case("update to an invalid value", "PATCH", V + "/${valid1}", body={"qty": 50}),
    Case("update clearing a required field", "PATCH", V + "/${valid1}", body={"needed": ""}),
    Case("update with several invalid fields", "PATCH", V + "/${valid1}", body={"code": "1", "two": ["x"]}),
    Case("the record after failed updates is unchanged", "GET", V + "/${valid1}"),
    Case("unique index violation", "POST", V, body={**OK, "uniq": "taken"}),
    Case("unique index violation on update", "PATCH", V + "/${valid2}", body={"uniq": "taken"}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "val_refs", "type": "base"})
    for n in (1, 2, 3):
        paired.create_record("val_refs", f"ref{n}", {})
    paired.create_collection({"name": "val_items", "type": "base", "fields": FIELDS,
                              "indexes": ["CREATE UNIQUE INDEX idx_val_uniq ON val_items (uniq) WHERE uniq != ''"]})
    paired.create_record("val_items", "valid1", {**OK, "qty": 2, "uniq": "taken"})
    paired.create_record("val_items", "valid2", {**OK, "qty": 3})
    yield


@pytest.mark.parametrize("case", CASES)
def test_validation(paired: PairedClient, case: Case) -> None:
    # Given a collection with an option on every field, When the same invalid record goes to both, Then both
    # reject it with the same error codes per field (and nothing is written)
    check(paired, case)
