"""API rules over HTTP: null, empty and filter rules for every action, with @request.* and @collection joins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import ANY, GUEST, Api, Scenario, Where, error, run, unique
from tests.support.records_world import OPEN_RULES, rid

pytestmark = pytest.mark.api

ONLY_SUPERUSERS = error(403, "Only superusers can perform this action.")
NOT_FOUND = error(404)
CREATE_DENIED = error(400, "Failed to create record.")


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Api:
    api = Api(stack.url).sign_in_superuser()
    api.sign_up_user("user")
    api.sign_up_user("user2")
    return api


def _collection(api: Api, prefix: str, fields: list[dict[str, Any]], **rules: Any) -> str:
    name = unique(prefix)
    api.create_collection({"name": name, "type": "base", "fields": fields, **rules})
    return name


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, str]:
    user, user2 = api.users["user"]["id"], api.users["user2"]["id"]
    text = [{"name": "title", "type": "text"}, {"name": "note", "type": "text"}]
    locked = _collection(api, "locked", text)
    opened = _collection(api, "opened", text, **OPEN_RULES)
    owner_rule = "owner = @request.auth.id || status = 'live'"
    owned = _collection(api, "owned", [
        {"name": "title", "type": "text"},
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "status", "type": "select", "values": ["draft", "live"], "maxSelect": 1}],
        listRule=owner_rule, viewRule=owner_rule,
        createRule="@request.auth.id != '' && @request.body.owner = @request.auth.id",
        updateRule="owner = @request.auth.id && (@request.body.owner:isset = false || "
                   "@request.body.owner = @request.auth.id)",
        deleteRule="owner = @request.auth.id && @request.auth.collectionName = 'users'")
    gated = _collection(api, "gated", text,
                        listRule="@request.headers.x_token = 'secret'", viewRule="@request.query.key = 'k1'",
                        createRule="@request.body.title ~ 'ok'", updateRule="@request.body.title:isset = false",
                        deleteRule="@request.auth.id != ''")
    members = _collection(api, "members", [
        {"name": "user", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "group", "type": "text"}])
    docs = _collection(api, "docs", [{"name": "group", "type": "text"}],
                       listRule=f"@collection.{members}.user ?= @request.auth.id && "
                                f"@collection.{members}.group ?= group",
                       viewRule=f"@collection.{members}:m.user ?= @request.auth.id && @collection.{members}:m.group "
                                "?= group")
    for name, rows in {
        locked: [{"id": rid("locked", 1), "title": "l1"}],
        opened: [{"id": rid("opened", 1), "title": "o1"}, {"id": rid("opened", 2), "title": "o2"}],
        owned: [{"id": rid("owned", 1), "owner": user, "status": "draft"},
                {"id": rid("owned", 2), "owner": user2, "status": "draft"},
                {"id": rid("owned", 3), "owner": user2, "status": "live"}],
        gated: [{"id": rid("gated", 1), "title": "g1"}, {"id": rid("gated", 2), "title": "g2"}],
        members: [{"user": user, "group": "red"}, {"user": user2, "group": "green"}],
        docs: [{"id": rid("doc", 1), "group": "red"}, {"id": rid("doc", 2), "group": "blue"}],
    }.items():
        for row in rows:
            api.create_record(name, row)
    return {"locked": locked, "opened": opened, "owned": owned, "gated": gated, "docs": docs,
            "user": user, "user2": user2,
            **{f"{prefix}{n}": rid(prefix, n) for prefix in ("locked", "opened", "owned", "gated", "doc")
               for n in (1, 2, 3)}}


def records(name: str, record: str = "") -> str:
    return f"/api/collections/${{{name}}}/records" + (f"/${{{record}}}" if record else "")


def only(*keys: str) -> Where:
    return Where(lambda items: sorted(i["id"] for i in items) == sorted(
        rid(k.rstrip("0123456789"), int(k[len(k.rstrip("0123456789")):])) for k in keys), f"exactly {keys}")


NULL_RULES = [
    Scenario("null list: guest", "GET", records("locked"), 403, ONLY_SUPERUSERS, role=GUEST),
    Scenario("null list: user", "GET", records("locked"), 403, ONLY_SUPERUSERS, role="user"),
    Scenario("null view: guest", "GET", records("locked", "locked1"), 403, ONLY_SUPERUSERS, role=GUEST),
    Scenario("null view: user", "GET", records("locked", "locked1"), 403, ONLY_SUPERUSERS, role="user"),
    Scenario("null create: user", "POST", records("locked"), 403, ONLY_SUPERUSERS, body={"title": "x"}, role="user"),
    Scenario("null update: user", "PATCH", records("locked", "locked1"), 403, ONLY_SUPERUSERS,
             body={"title": "x"}, role="user"),
    Scenario("null delete: guest", "DELETE", records("locked", "locked1"), 403, ONLY_SUPERUSERS, role=GUEST),
    Scenario("null list: superuser", "GET", records("locked"), 200, {"items": only("locked1")}),
    Scenario("null view: superuser", "GET", records("locked", "locked1"), 200, {"title": "l1"}),
    Scenario("null update: superuser", "PATCH", records("locked", "locked1"), 200, {"note": "su"},
             body={"note": "su"}),
]

EMPTY_RULES = [
    Scenario("empty list: guest", "GET", records("opened"), 200, {"items": only("opened1", "opened2")}, role=GUEST,
             params={"filter": "title ~ 'o'"}),
    Scenario("empty view: guest", "GET", records("opened", "opened1"), 200, {"title": "o1"}, role=GUEST),
    Scenario("empty create: guest", "POST", records("opened"), 200, {"title": "by guest"},
             body={"title": "by guest"}, role=GUEST),
    Scenario("empty update: guest", "PATCH", records("opened", "opened1"), 200, {"note": "guest"},
             body={"note": "guest"}, role=GUEST),
    Scenario("empty delete: user", "DELETE", records("opened", "opened2"), 204, role="user"),
]

FILTER_RULES = [
    Scenario("list: a guest sees the live one", "GET", records("owned"), 200,
             {"totalItems": 1, "items": only("owned3")}, role=GUEST),
    Scenario("list: a user sees theirs and the live one", "GET", records("owned"), 200,
             {"totalItems": 2, "items": only("owned1", "owned3")}, role="user"),
    Scenario("list: another user sees theirs", "GET", records("owned"), 200,
             {"items": only("owned2", "owned3")}, role="user2"),
    Scenario("list: the rule and the filter both apply", "GET", records("owned"), 200,
             {"totalItems": 1, "items": only("owned3")}, params={"filter": "status = 'live'"}, role="user"),
    Scenario("list: superusers skip the rule", "GET", records("owned"), 200,
             {"items": only("owned1", "owned2", "owned3")}),
    Scenario("view: the owner", "GET", records("owned", "owned1"), 200, {"owner": "${user}"}, role="user"),
    Scenario("view: not the owner is a 404", "GET", records("owned", "owned1"), 404, NOT_FOUND, role="user2"),
    Scenario("view: a guest is a 404", "GET", records("owned", "owned1"), 404, NOT_FOUND, role=GUEST),
    Scenario("view: live for a guest", "GET", records("owned", "owned3"), 200, {"status": "live"}, role=GUEST),
    Scenario("create: @request.body matches the caller", "POST", records("owned"), 200, {"owner": "${user}"},
             body={"owner": "${user}", "title": "mine"}, role="user"),
    Scenario("create: for someone else is a 400", "POST", records("owned"), 400, CREATE_DENIED,
             body={"owner": "${user2}"}, role="user"),
    Scenario("create: a guest is a 400", "POST", records("owned"), 400, CREATE_DENIED, body={"owner": ""},
             role=GUEST),
    Scenario("update: the owner", "PATCH", records("owned", "owned1"), 200, {"title": "edited"},
             body={"title": "edited"}, role="user"),
    Scenario("update: handing it over is a 404", "PATCH", records("owned", "owned1"), 404, NOT_FOUND,
             body={"owner": "${user2}"}, role="user"),
    Scenario("update: not the owner is a 404", "PATCH", records("owned", "owned1"), 404, NOT_FOUND,
             body={"title": "x"}, role="user2"),
    Scenario("update: nothing changed by the refusals", "GET", records("owned", "owned1"), 200,
             {"owner": "${user}", "title": "edited"}),
    Scenario("delete: not the owner is a 404", "DELETE", records("owned", "owned2"), 404, NOT_FOUND, role="user"),
    Scenario("delete: a guest is a 404", "DELETE", records("owned", "owned3"), 404, NOT_FOUND, role=GUEST),
    Scenario("delete: the owner", "DELETE", records("owned", "owned2"), 204, role="user2"),
    Scenario("delete: gone", "GET", records("owned", "owned2"), 404, role="user2"),
]

REQUEST_RULES = [
    Scenario("@request.headers: missing header lists nothing", "GET", records("gated"), 200,
             {"totalItems": 0, "items": []}, role=GUEST),
    Scenario("@request.headers: with the header", "GET", records("gated"), 200,
             {"items": only("gated1", "gated2")}, headers={"X-Token": "secret"}, role=GUEST),
    Scenario("@request.query: without it", "GET", records("gated", "gated1"), 404, role=GUEST),
    Scenario("@request.query: with it", "GET", records("gated", "gated1"), 200, {"title": "g1"},
             params={"key": "k1"}, role=GUEST),
    Scenario("@request.body on create: allowed", "POST", records("gated"), 200, {"title": "ok then"},
             body={"title": "ok then"}, role=GUEST),
    Scenario("@request.body on create: refused", "POST", records("gated"), 400, CREATE_DENIED,
             body={"title": "nope"}, role=GUEST),
    Scenario("@request.body on create: multipart too", "POST", records("gated"), 200, {"title": "ok form"},
             form={"title": "ok form"}, role=GUEST),
    Scenario("@request.body:isset on update: other field", "PATCH", records("gated", "gated1"), 200,
             {"note": "n"}, body={"note": "n"}, role=GUEST),
    Scenario("@request.body:isset on update: the guarded field", "PATCH", records("gated", "gated1"), 404,
             body={"title": "changed"}, role=GUEST),
    Scenario("@request.auth on delete: guest", "DELETE", records("gated", "gated2"), 404, role=GUEST),
    Scenario("@request.auth on delete: user", "DELETE", records("gated", "gated2"), 204, role="user"),
    Scenario("@collection join: a member sees their group", "GET", records("docs"), 200,
             {"items": only("doc1")}, role="user"),
    Scenario("@collection join: no membership, nothing", "GET", records("docs"), 200, {"items": []},
             role="user2"),
    Scenario("@collection join: guest, nothing", "GET", records("docs"), 200, {"items": []}, role=GUEST),
    Scenario("@collection alias join on view: member", "GET", records("docs", "doc1"), 200, {"group": "red"},
             role="user"),
    Scenario("@collection alias join on view: other group", "GET", records("docs", "doc2"), 404, role="user"),
]

AUTH_COLLECTION = [
    Scenario("users: a user lists only themselves", "GET", "/api/collections/users/records", 200,
             {"items": [{"id": "${user}", "email": ANY}]}, role="user"),
    Scenario("users: another user's record is a 404", "GET", "/api/collections/users/records/${user2}", 404,
             role="user"),
    Scenario("users: a guest lists nothing", "GET", "/api/collections/users/records", 200, {"items": []},
             role=GUEST),
]


@pytest.mark.parametrize("scenario", NULL_RULES + EMPTY_RULES + FILTER_RULES + REQUEST_RULES + AUTH_COLLECTION,
                         ids=str)
def test_rules(api: Api, world: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, world)
