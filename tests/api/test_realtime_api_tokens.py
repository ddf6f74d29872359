"""Realtime with API tokens on the in-process stack: tokens made and revoked over HTTP, the protocol's commands
over the stack's own DynamoDB tables (the subscription store, the token items)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from shared.aws import client
from shared.realtime import protocol
from shared.realtime.deps import RealtimeDeps, build_deps
from shared.realtime.sender import InMemorySender
from shared.realtime.subscriptions import Connection
from tests.support.records_api import Api, unique

pytestmark = pytest.mark.api

SIGNED_IN = '@request.auth.id != ""'


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    """`posts` and `notes`, both open to any signed-in caller, and a user with a token scoped to posts."""
    owner = api.sign_up_user("rt_owner")
    posts, notes = unique("rtposts"), unique("rtnotes")
    rules = {f"{a}Rule": SIGNED_IN for a in ("list", "view")}
    for name in (posts, notes):
        api.create_collection({"name": name, "type": "base", **rules, "fields": [{"name": "t", "type": "text"}]})
    return {"owner": owner, "posts": posts, "notes": notes}


@pytest.fixture
def realtime(api: Api) -> Iterator[tuple[RealtimeDeps, InMemorySender]]:
    sender = InMemorySender()
    deps = build_deps(resources.SYSTEM_TABLE.physical_name, resources.RECORDS_TABLE.physical_name, sender)
    yield deps, sender


def tokens_path(record_id: str) -> str:
    return f"/api/collections/users/records/{record_id}/api-tokens"


def send(deps: RealtimeDeps, sender: InMemorySender, cid: str, **message: Any) -> dict[str, Any]:
    protocol.on_message(deps, cid, json.dumps(message))
    return [m for c, m in sender.sent if c == cid][-1]


def test_a_token_subscribes_within_its_scopes_and_a_revoked_one_is_a_401(
        api: Api, world: dict[str, Any], realtime: tuple[RealtimeDeps, InMemorySender]) -> None:
    deps, sender = realtime
    owner_id = world["owner"]["id"]
    # Given the owner's token scoped to listing posts, made over HTTP, and a connection authenticated with it
    created = api.ok("POST", tokens_path(owner_id), role="rt_owner",
                     json={"name": "rt", "scopes": [f"{world['posts']}:list"]})
    cid = unique("conn")
    protocol.on_connect(deps, Connection(connection_id=cid, connected_at=int(time.time()), source_ip="127.0.0.1"))
    ack = send(deps, sender, cid, type="auth", token=created["token"])
    assert ack["type"] == "ack" and ack["auth"]["recordId"] == owner_id
    # And the `auth` counts as the token's use, from the connection's address
    listed = next(t for t in api.ok("GET", tokens_path(owner_id), role="rt_owner") if t["id"] == created["id"])
    assert (listed["usageCount"], listed["lastUsedIp"]) == (1, "127.0.0.1") and listed["lastUsed"]
    # When it subscribes to posts, then to notes
    assert send(deps, sender, cid, type="subscribe", topics=[world["posts"]])["type"] == "ack"
    refused = send(deps, sender, cid, type="subscribe", topics=[world["notes"]])
    # Then posts is accepted, notes is PocketBase's 403
    assert refused["status"] == 403 and refused["message"] == "The API token does not allow this action."
    # And the stored connection names the token by id, without its secret or unset fields
    item = client("dynamodb").get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                       Key={"pk": {"S": f"conn#{cid}"}, "sk": {"S": "conn"}})["Item"]
    auth = item["auth"]["M"]
    assert auth["token_id"]["S"] == created["id"] and "session_id" not in auth
    assert created["token"][-43:] not in json.dumps(item)
    # When the owner revokes the token over HTTP / Then the connection's next subscribe is a 401
    api.ok("DELETE", f"{tokens_path(owner_id)}/{created['id']}", role="rt_owner", status=204)
    assert send(deps, sender, cid, type="subscribe", topics=[f"{world['posts']}/*"])["status"] == 401
    protocol.on_disconnect(deps, cid)
