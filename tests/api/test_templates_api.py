"""Templates through the HTTP API: the built-ins listed and applied, all-or-nothing apply, export and re-apply."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from shared.collections.ids import new_collection_id
from shared.composition import composition
from shared.errors import ServiceUnavailableError
from shared.records.model import RecordWrite
from shared.templates import apply as apply_module
from shared.templates.builtins import builtin_names, builtin_template
from tests.support.records_api import GUEST, Api

APPLY = "/api/templates/apply"


def _prefix(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:6]}_"


def _names(api: Api) -> set[str]:
    return {c["name"] for c in api.ok("GET", "/api/collections", params={"perPage": 500})["items"]}


def _views_of(api: Api, collection_id: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/api/collections/_views/records",
                       params={"filter": f"collection = '{collection_id}'", "perPage": 200})["items"])


def _all(api: Api, collection: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", f"/api/collections/{collection}/records", params={"perPage": 500})["items"])


def test_the_builtins_are_listed_to_superusers_only(api: Api) -> None:
    # When a superuser lists the built-ins
    listed = api.ok("GET", "/api/templates")["items"]
    # Then each is there with what it creates
    assert [t["name"] for t in listed] == list(builtin_names())
    assert {"blog", "crm", "ecommerce", "projects", "cms", "directory"} <= set(builtin_names())
    crm = next(t for t in listed if t["name"] == "crm")
    assert crm["collections"] == ["companies", "contacts", "deals", "activities"]
    assert {"kanban", "calendar", "form"} <= {v["type"] for v in crm["views"]}
    # and one built-in's file reads back in the template format
    assert api.ok("GET", "/api/templates/crm")["format"] == "lambdabase.template"
    assert api.request("GET", "/api/templates/nope").status_code == 404
    assert api.request("GET", "/api/templates", role=GUEST).status_code == 401
    assert api.request("GET", "/api/templates", role="user").status_code == 403
    assert api.request("POST", APPLY, role="user", json={"template": "crm"}).status_code == 403


@pytest.mark.parametrize("name", builtin_names())
def test_each_builtin_applies_with_its_sample_data(api: Api, name: str) -> None:
    # Given a built-in and a fresh prefix
    template, prefix = builtin_template(name), _prefix(name)
    # When it is applied with sample data
    applied = api.ok("POST", APPLY, json={"template": name, "sampleData": True, "prefix": prefix})
    # Then every collection, view and sample record exists, under the prefix
    assert [c["name"] for c in applied["collections"]] == [prefix + n for n in template.collection_names()]
    assert len(applied["views"]) == len(template.views)
    for collection, records in template.sampleData.items():
        assert len(_all(api, prefix + collection)) == len(records), collection
    by_name = {c["name"]: c["id"] for c in applied["collections"]}
    for view in template.views:
        stored = [v for v in _views_of(api, by_name[prefix + view.collection]) if v["name"] == view.name]
        assert len(stored) == 1 and stored[0]["type"] == view.type
        assert stored[0]["slug"] == (prefix.lower() + view.slug if view.slug else "")


def test_the_ecommerce_order_totals_roll_up_their_lines(api: Api) -> None:
    # Given the e-commerce sample data applied
    prefix = _prefix("shop")
    api.ok("POST", APPLY, json={"template": "ecommerce", "sampleData": True, "prefix": prefix})
    # Then each line's amount is quantity * unit price (a formula), and each order's total (a rollup of that
    # formula), item count and line count follow from its line items (the change stream's rollups)
    expected = {"1001": (45, 3, 2), "1002": (45, 3, 1), "1003": (48.5, 5, 2)}
    orders = _eventually(lambda: {o["number"]: (o["total"], o["item_count"], o["lines"])
                                  for o in _all(api, prefix + "orders")}, expected)
    assert orders == expected
    assert sorted(line["amount"] for line in _all(api, prefix + "line_items")) == [12.5, 20, 25, 36, 45]


def _eventually(read: Any, expected: Any, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_an_uploaded_file_applies_and_its_view_collection_is_built(api: Api) -> None:
    # Given the blog's file uploaded as a multipart `template` part
    prefix = _prefix("up")
    blog = api.ok("GET", "/api/templates/blog")
    upload = {"template": ("blog.json", json.dumps(blog).encode(), "application/json")}
    response = api.request("POST", APPLY, files=upload, data={"sampleData": "true", "prefix": prefix})
    assert response.status_code == 200, response.text
    # Then its view collection, whose query names the prefixed posts, lists the published sample posts
    published = sorted(p["slug"] for p in blog["sampleData"]["posts"] if p["status"] == "published")
    view = prefix + "published_posts"
    assert _eventually(lambda: sorted(p["slug"] for p in _all(api, view)), published) == published


def test_a_name_clash_is_a_400_and_writes_nothing(api: Api) -> None:
    # Given the blog applied once under a prefix
    prefix = _prefix("clash")
    api.ok("POST", APPLY, json={"template": "blog", "prefix": prefix})
    before = _names(api)
    # When it is applied again under the same prefix
    response = api.request("POST", APPLY, json={"template": "blog", "prefix": prefix, "sampleData": True})
    # Then 400 naming the clash, and nothing new
    assert response.status_code == 400, response.text
    assert response.json()["data"]["collections"]["code"] == "validation_collection_exists"
    assert _names(api) == before


@pytest.mark.parametrize(("path", "body", "key", "code"), [
    (APPLY, {"template": 5}, "template", "validation_invalid_template"),
    (APPLY, {"template": "crm", "prefix": "1bad"}, "prefix", "validation_invalid_prefix"),
    (APPLY, {"template": "crm", "sampleData": "maybe"}, "sampleData", "validation_invalid_value"),
    ("/api/templates/export", {"collections": ["nope"]}, "collections", "validation_invalid_export"),
    ("/api/templates/export", {"collections": ["_superusers"]}, "collections", "validation_invalid_export"),
    ("/api/templates/export", {"collections": "users"}, "collections", "validation_invalid_export"),
])
def test_bad_requests_are_400s_naming_the_key(api: Api, path: str, body: dict[str, Any], key: str, code: str) -> None:
    response = api.request("POST", path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["data"][key]["code"] == code


def _crm_file(api: Api) -> dict[str, Any]:
    return dict(api.ok("GET", "/api/templates/crm"))


def test_an_invalid_definition_is_a_400_before_anything_is_written(api: Api) -> None:
    before = _names(api)
    # Given an uploaded CRM whose last collection has a rule naming a field that does not exist
    broken = _crm_file(api)
    broken["collections"][-1]["listRule"] = "nosuchfield = 1"
    response = api.request("POST", APPLY, json={"template": broken, "prefix": _prefix("bad")})
    assert response.status_code == 400, response.text
    assert "nosuchfield" in response.json()["data"]["collections"]["message"]
    # and one whose kanban stacks by a text field
    broken = _crm_file(api)
    broken["views"][0]["options"]["stackField"] = "name"
    response = api.request("POST", APPLY, json={"template": broken, "prefix": _prefix("bad")})
    assert response.status_code == 400, response.text
    assert response.json()["data"]["views"]["0"]["options"]["code"] == "validation_invalid_view_option"
    # and one whose sample deal links to a company key that is not there
    broken = _crm_file(api)
    broken["sampleData"]["deals"][0]["company"] = "nobody"
    response = api.request("POST", APPLY, json={"template": broken, "sampleData": True, "prefix": _prefix("bad")})
    assert response.status_code == 400, response.text
    assert "nobody" in response.json()["data"]["sampleData"]["message"]
    # and a file of another version
    response = api.request("POST", APPLY, json={"template": {**_crm_file(api), "version": 2}})
    assert response.status_code == 400 and "version" in response.json()["data"]["template"]["message"]
    # Then none of them created anything
    assert _names(api) == before


def test_a_storage_failure_midway_removes_what_was_created(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the records table refusing the write of the fifth sample deal (collections, views, companies and
    # contacts are stored by then)
    before, prefix = _names(api), _prefix("fail")
    deals = new_collection_id("base", prefix + "deals")
    records = composition().records
    real_write, deal_writes = records.write, []

    def failing(writes: list[RecordWrite]) -> None:
        if any(w.kind == "create" and w.record.collection_id == deals for w in writes):
            deal_writes.append(1)
            if len(deal_writes) == 5:
                raise ServiceUnavailableError()
        real_write(writes)

    monkeypatch.setattr(records, "write", failing)
    # When the CRM is applied with sample data
    response = api.request("POST", APPLY, json={"template": "crm", "sampleData": True, "prefix": prefix})
    monkeypatch.undo()
    # Then the storage error is answered, and no collection, view or record of it is left
    assert response.status_code == 503, response.text
    assert deal_writes == [1] * 5
    assert _names(api) == before
    views = api.ok("GET", "/api/collections/_views/records", params={"filter": f"slug ~ '{prefix.lower()}%'"})
    assert views["items"] == []


def test_an_apply_past_its_time_budget_undoes_itself(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no time left for writes (a Lambda timeout would otherwise cut an apply off half-way, with no undo)
    before, prefix = _names(api), _prefix("slow")
    monkeypatch.setattr(apply_module, "WRITE_BUDGET_S", -1.0)
    # When a template is applied
    response = api.request("POST", APPLY, json={"template": "projects", "sampleData": True, "prefix": prefix})
    # Then it says so, and nothing of it is left
    assert response.status_code == 400, response.text
    assert response.json()["data"]["sampleData"]["code"] == "validation_template_too_large"
    assert _names(api) == before


def _schema(api: Api, name: str, prefix: str) -> dict[str, Any]:
    """A collection as the API shows it, ids and the prefix left out, relations by target name."""
    collection = api.ok("GET", f"/api/collections/{prefix}{name}")
    names = {c["id"]: c["name"].removeprefix(prefix) for c in
             api.ok("GET", "/api/collections", params={"perPage": 500})["items"]}
    fields = [{k: names.get(v, v) if k == "collectionId" else v.replace(prefix, "") if isinstance(v, str) else v
               for k, v in f.items() if k != "id"} for f in collection["fields"]]
    return {"fields": fields, "indexes": [i.replace(prefix, "") for i in collection["indexes"]],
            **{k: collection[k] for k in ("type", "listRule", "viewRule", "createRule", "updateRule", "deleteRule")}}


def test_an_export_applies_into_another_prefix_as_the_same_schema(api: Api) -> None:
    # Given the CRM applied under one prefix
    first, second = _prefix("one"), _prefix("two")
    applied = api.ok("POST", APPLY, json={"template": "crm", "sampleData": True, "prefix": first})
    names = [c["name"] for c in applied["collections"]]
    # and a view of its own, saved naming its collection by name
    api.create_record("_views", {"collection": f"{first}deals", "name": "Big deals", "type": "grid",
                                 "filter": "amount > 50000"})
    # When its collections are exported with their views (and records), the prefix stripped
    exported = api.ok("POST", "/api/templates/export", json={"collections": names, "stripPrefix": first,
                                                             "records": True, "name": "my-crm"})
    assert exported["name"] == "my-crm"
    assert [c["name"] for c in exported["collections"]] == builtin_template("crm").collection_names()
    # and the file is applied under another prefix
    again = api.ok("POST", APPLY, json={"template": exported, "sampleData": True, "prefix": second})
    # Then the schema, the views and the records are the same
    for name in builtin_template("crm").collection_names():
        assert _schema(api, name, second) == _schema(api, name, first), name
        assert len(_all(api, second + name)) == len(_all(api, first + name))
    view_shape = sorted([(v["name"], v["type"], v["slug"]) for v in applied["views"]] + [("Big deals", "grid", "")])
    assert sorted((v["name"], v["type"], v["slug"].replace(second.lower(), first.lower())) for v in again["views"]) \
        == view_shape
