"""The audit log end to end, on the local stack process: a create, an update by an impersonator and a delete,
each with its actor and diff, read back through `GET /api/audit`."""

from __future__ import annotations

import time
from typing import Any

from tests.support.records_api import Api, unique

OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


def history(api: Api, record_id: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        items = api.ok("GET", "/api/audit", params={"filter": f"record = '{record_id}'", "sort": "created"})["items"]
        if len(items) >= count or time.monotonic() > deadline:
            return list(items)
        time.sleep(0.3)


def test_the_log_shows_a_create_an_impersonated_update_and_a_delete(api: Api) -> None:
    # Given a collection, and a post the user created
    name = unique("ledger")
    api.create_collection({"name": name, "type": "base", **OPEN, "fields": [
        {"name": "title", "type": "text"}, {"name": "amount", "type": "number"}]})
    user = api.users["user"]["id"]
    post = api.create_record(name, {"title": "invoice", "amount": 10}, role="user")["id"]
    # When a superuser impersonates the user to change the amount, then deletes the post itself
    api.tokens["as-user"] = api.ok("POST", f"/api/collections/users/impersonate/{user}", json={})["token"]
    api.ok("PATCH", f"/api/collections/{name}/records/{post}", role="as-user", json={"amount": 12},
           headers={"User-Agent": "e2e-audit"})
    api.ok("DELETE", f"/api/collections/{name}/records/{post}", status=204)
    # Then the post's history shows the three changes, in order, with who made them and what changed
    created, updated, deleted = history(api, post, 3)
    assert (created["action"], created["actor"]["kind"], created["actor"]["id"]) == ("create", "auth", user)
    assert created["changes"]["amount"] == {"old": None, "new": 10}
    assert (updated["action"], updated["actor"]["kind"], updated["actor"]["id"]) == ("update", "impersonator", user)
    superuser = updated["actor"]["impersonatorId"]
    assert superuser and updated["userAgent"] == "e2e-audit" and updated["requestId"]
    assert updated["changes"]["amount"] == {"old": 10, "new": 12} and "title" not in updated["changes"]
    assert (deleted["action"], deleted["actor"]["kind"], deleted["actor"]["id"]) == ("delete", "superuser", superuser)
    assert deleted["changes"]["amount"] == {"old": 12, "new": None}
    # And each entry can be viewed alone, and the user may not read the log
    assert api.ok("GET", f"/api/audit/{updated['id']}") == updated
    assert api.request("GET", "/api/audit", role="user").status_code == 403
