"""Conformance of HTTP-level errors: unknown routes, wrong methods, bad JSON and content types, bad paging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

RECORDS = "/api/collections/err_items/records"
# listed only: no scenario writes to it, so its counter-backed totalItems is settled
LISTED = "/api/collections/err_list/records"
JSON = {"Content-Type": "application/json"}

CASES = cases(
    Case("unknown api route", "GET", "/api/nope", role=GUEST),
    Case("unknown api route as superuser", "GET", "/api/nope"),
    Case("unknown nested route", "GET", "/api/collections/err_items/nope"),
    Case("root path", "GET", "/api/", role=GUEST),
    Case("site root", "GET", "/", role=GUEST),
    Case("unknown route with POST", "POST", "/api/nope", role=GUEST, body={}),
    Case("unknown route with PATCH", "PATCH", "/api/nope", role=GUEST, body={}),
    Case("unknown route with HEAD", "HEAD", "/api/nope", role=GUEST),
    Case("site root with POST", "POST", "/", role=GUEST, body={}),
    Case("create with a trailing slash", "POST", RECORDS + "/", body={"title": "x"}),
    Case("update with a trailing slash", "PATCH", RECORDS + "/${err_one}/", body={"title": "x"}),
    Case("unknown collection records", "GET", "/api/collections/missing/records"),
    Case("unknown collection records as guest", "GET", "/api/collections/missing/records", role=GUEST),
    Case("unknown collection view", "GET", "/api/collections/missing"),
    Case("unknown record", "GET", RECORDS + "/aaaaaaaaaaaaaaa"),
    Case("wrong method on records", "PUT", RECORDS),
    Case("wrong method on a record", "POST", RECORDS + "/${err_one}"),
    Case("wrong method on collections", "PUT", "/api/collections"),
    Case("list with a trailing slash", "GET", RECORDS + "/"),
    Case("collections with a trailing slash", "GET", "/api/collections/"),
    Case("bad JSON body on create", "POST", RECORDS, raw=b"{not json", headers=JSON, deliberate=deliberate.BAD_JSON),
    Case("JSON array body on create", "POST", RECORDS, raw=b"[1,2]", headers=JSON, deliberate=deliberate.BAD_JSON),
    Case("JSON string body on create", "POST", RECORDS, raw=b'"x"', headers=JSON, deliberate=deliberate.BAD_JSON),
    Case("empty JSON body on create", "POST", RECORDS, raw=b"", headers=JSON),
    Case("bad JSON body on update", "PATCH", RECORDS + "/${err_one}", raw=b"{", headers=JSON,
         deliberate=deliberate.BAD_JSON),
    Case("unsupported content type", "POST", RECORDS, raw=b"title=x", headers={"Content-Type": "text/plain"}),
    Case("urlencoded form body", "POST", RECORDS, raw=b"title=from-form",
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("bad JSON on collection create", "POST", "/api/collections", raw=b"{", headers=JSON,
         deliberate=deliberate.BAD_JSON),
    Case("page zero", "GET", LISTED, params={"page": "0"}),
    Case("negative page", "GET", LISTED, params={"page": "-1"}),
    Case("non-numeric page", "GET", LISTED, params={"page": "abc"}, deliberate=deliberate.INVALID_PAGE),
    Case("perPage zero", "GET", LISTED, params={"perPage": "0"}),
    Case("perPage above the maximum", "GET", LISTED, params={"perPage": "5000"}),
    Case("non-numeric perPage", "GET", LISTED, params={"perPage": "x"}, deliberate=deliberate.INVALID_PER_PAGE),
    Case("page beyond the last", "GET", LISTED, params={"page": "99"}),
    Case("bad filter syntax", "GET", LISTED, params={"filter": "title = "}, deliberate=deliberate.INVALID_FILTER),
    Case("filter on an unknown field", "GET", LISTED, params={"filter": "nope = 1"},
         deliberate=deliberate.INVALID_FILTER),
    Case("sort on an unknown field", "GET", LISTED, params={"sort": "nope"}, deliberate=deliberate.INVALID_FILTER),
    Case("invalid token is treated as guest", "GET", LISTED, role=GUEST, headers={"Authorization": "garbage"}),
    Case("invalid token on a superuser route", "GET", "/api/collections", role=GUEST,
         headers={"Authorization": "Bearer abc.def.ghi"}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "err_items", "type": "base", "listRule": "", "viewRule": "",
                              "createRule": "", "updateRule": "", "fields": [{"name": "title", "type": "text"}]})
    paired.create_record("err_items", "err_one", {"title": "one"})
    paired.create_collection({"name": "err_list", "type": "base", "listRule": "", "fields": [
        {"name": "title", "type": "text"}]})
    for n in range(3):
        paired.create_record("err_list", f"err_list{n}", {"title": f"t{n}"})
    paired.settle("err_list")
    yield


@pytest.mark.parametrize("case", CASES)
def test_errors(paired: PairedClient, case: Case) -> None:
    # Given a small public collection, When the same malformed request goes to both sides, Then both answer alike
    check(paired, case)
