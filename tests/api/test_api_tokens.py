"""API tokens over HTTP in-process: create, list, rotate and revoke them, and use them within their scopes on
records, batch, expand, files, the superuser APIs and the rate limiter."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from shared import resources
from shared.aws import client
from tests.support.files_world import attach
from tests.support.records_api import GUEST, Api, unique

pytestmark = pytest.mark.api

TOKEN = re.compile(r"lb_[a-z0-9]{15}_[A-Za-z0-9_-]{43}")
OUT_OF_SCOPE = {"status": 403, "message": "The API token does not allow this action.", "data": {}}
UNAUTHORIZED = {"status": 401, "message": "The request requires valid record authorization token.", "data": {}}
SIGNED_IN = '@request.auth.id != ""'


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    """Two collections open to any signed-in caller, `posts` relating to `notes`, and two users."""
    owner = api.sign_up_user("owner")
    api.sign_up_user("other")
    notes, posts = unique("notes"), unique("posts")
    rules = {f"{a}Rule": SIGNED_IN for a in ("list", "view", "create", "update", "delete")}
    notes_c = api.create_collection({"name": notes, "type": "base", **rules, "fields": [
        {"name": "text", "type": "text"}, {"name": "secret", "type": "file", "maxSelect": 1, "protected": True}]})
    api.create_collection({"name": posts, "type": "base", **rules, "fields": [
        {"name": "title", "type": "text"},
        {"name": "note", "type": "relation", "collectionId": notes_c["id"], "maxSelect": 1}]})
    note = api.create_record(notes, {"text": "hidden"})
    attach(notes, note["id"], "secret", {"s.txt": (b"classified", "text/plain")})
    post = api.create_record(posts, {"title": "first", "note": note["id"]})
    return {"owner": owner, "notes": notes, "posts": posts, "note": note, "post": post}


def tokens_path(record_id: str, collection: str = "users") -> str:
    return f"/api/collections/{collection}/records/{record_id}/api-tokens"


def new_token(api: Api, record_id: str, scopes: list[str], role: str = "owner", collection: str = "users",
              **extra: Any) -> dict[str, Any]:
    return dict(api.ok("POST", tokens_path(record_id, collection), role=role,
                       json={"name": "script", "scopes": scopes, **extra}))


def with_token(api: Api, token: str, method: str, path: str, **kwargs: Any) -> Any:
    return api.http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


# management ---------------------------------------------------------------------------------------------------
def test_a_created_token_is_shown_once_and_listed_without_its_secret(api: Api, world: dict[str, Any]) -> None:
    # Given the owner creates a token
    created = new_token(api, world["owner"]["id"], [f"{world['posts']}:list"], readOnly=True)
    # Then the answer carries the prefixed token, its scopes and an expiry
    assert TOKEN.fullmatch(created["token"]), created
    assert created["scopes"] == [f"{world['posts']}:list"] and created["readOnly"] is True and created["expires"]
    # And the list shows the token's metadata but never the token or its hash
    listed = api.ok("GET", tokens_path(world["owner"]["id"]), role="owner")
    mine = next(t for t in listed if t["id"] == created["id"])
    assert "token" not in mine and created["token"] not in str(listed)
    assert mine["name"] == "script" and mine["recordId"] == world["owner"]["id"]


@pytest.mark.parametrize("body, field", [
    ({"scopes": ["*:*"]}, "name"),
    ({"name": "x"}, "scopes"),
    ({"name": "x", "scopes": ["posts"]}, "scopes"),
    ({"name": "x", "scopes": ["*:publish"]}, "scopes"),
    ({"name": "x", "scopes": ["nope_nowhere:list"]}, "scopes"),
    ({"name": "x", "scopes": ["*:*"], "duration": 10**9}, "duration"),
    ({"name": "x", "scopes": ["*:*"], "readOnly": "yes"}, "readOnly"),
])
def test_an_invalid_token_request_is_a_400_naming_the_field(api: Api, world: dict[str, Any],
                                                            body: dict[str, Any], field: str) -> None:
    response = api.request("POST", tokens_path(world["owner"]["id"]), role="owner", json=body)
    assert response.status_code == 400 and list(response.json()["data"]) == [field], response.text


def test_another_users_tokens_cannot_be_managed(api: Api, world: dict[str, Any]) -> None:
    # Given the owner's token
    created = new_token(api, world["owner"]["id"], ["*:*"])
    owner_id, other_id = world["owner"]["id"], api.users["other"]["id"]
    # When another user lists, creates, rotates or revokes the owner's tokens / Then 403 every time
    for method, path in (("GET", tokens_path(owner_id)), ("POST", tokens_path(owner_id)),
                         ("POST", f"{tokens_path(owner_id)}/{created['id']}/rotate"),
                         ("DELETE", f"{tokens_path(owner_id)}/{created['id']}")):
        assert api.request(method, path, role="other", json={"name": "x", "scopes": ["*:*"]}).status_code == 403
    # And naming the owner's token under their own record finds nothing
    assert api.request("DELETE", f"{tokens_path(other_id)}/{created['id']}", role="other").status_code == 404
    assert api.request("POST", f"{tokens_path(other_id)}/{created['id']}/rotate", role="other").status_code == 404
    # And a guest is asked to sign in
    assert api.request("GET", tokens_path(owner_id), role=GUEST).status_code == 401
    # And the token still works
    assert with_token(api, created["token"], "GET", f"/api/collections/{world['posts']}/records").status_code == 200


def test_a_revoked_token_answers_401(api: Api, world: dict[str, Any]) -> None:
    created = new_token(api, world["owner"]["id"], ["*:*"])
    api.ok("DELETE", f"{tokens_path(world['owner']['id'])}/{created['id']}", role="owner", status=204)
    response = with_token(api, created["token"], "GET", f"/api/collections/{world['posts']}/records")
    assert response.status_code == 401 and response.json() == UNAUTHORIZED


def test_revoking_all_of_a_records_tokens_ends_each_of_them(api: Api) -> None:
    user = api.sign_up_user("many")
    tokens = [new_token(api, user["id"], ["users:list"], role="many")["token"] for _ in range(3)]
    api.ok("DELETE", tokens_path(user["id"]), role="many", status=204)
    assert [with_token(api, t, "GET", "/api/collections/users/records").status_code for t in tokens] == [401] * 3
    assert api.ok("GET", tokens_path(user["id"]), role="many") == []


def test_rotation_keeps_the_token_and_ends_the_old_secret(api: Api, world: dict[str, Any]) -> None:
    created = new_token(api, world["owner"]["id"], [f"{world['posts']}:*"])
    rotated = api.ok("POST", f"{tokens_path(world['owner']['id'])}/{created['id']}/rotate", role="owner")
    assert rotated["id"] == created["id"] and rotated["scopes"] == created["scopes"]
    assert rotated["token"] != created["token"] and TOKEN.fullmatch(rotated["token"])
    path = f"/api/collections/{world['posts']}/records"
    assert with_token(api, created["token"], "GET", path).status_code == 401
    assert with_token(api, rotated["token"], "GET", path).status_code == 200


def test_an_expired_token_answers_401(api: Api, world: dict[str, Any]) -> None:
    # Given a token whose expiry has passed (its stored item aged: the shortest duration is a minute)
    created = new_token(api, world["owner"]["id"], ["*:*"], duration=60)
    path = f"/api/collections/{world['posts']}/records"
    assert with_token(api, created["token"], "GET", path).status_code == 200
    client("dynamodb").update_item(
        TableName=resources.SYSTEM_TABLE.physical_name,
        Key={"pk": {"S": f"apitoken#{created['id']}"}, "sk": {"S": "token"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    # When it is used / Then 401
    response = with_token(api, created["token"], "GET", path)
    assert response.status_code == 401 and response.json() == UNAUTHORIZED


@pytest.mark.parametrize("value", ["lb_", "lb_short_secret", "lb_abcdefghijklmno_" + "x" * 42,
                                   "lb_abcdefghijklmno_" + "x" * 43])
def test_a_malformed_or_unknown_lb_token_is_a_401_even_where_guests_may_read(api: Api, value: str) -> None:
    # users' list rule lets any guest call it: an lb_ token is still never read as a guest
    response = api.http.get("/api/collections/users/records", headers={"Authorization": value})
    assert response.status_code == 401 and response.json() == UNAUTHORIZED


def test_usage_is_recorded(api: Api, world: dict[str, Any]) -> None:
    created = new_token(api, world["owner"]["id"], ["*:*"])
    with_token(api, created["token"], "GET", f"/api/collections/{world['posts']}/records")
    listed = api.ok("GET", tokens_path(world["owner"]["id"]), role="owner")
    mine = next(t for t in listed if t["id"] == created["id"])
    assert mine["usageCount"] >= 1 and mine["lastUsed"] and mine["lastUsedIp"]


# use within the scopes ----------------------------------------------------------------------------------------
def test_a_token_acts_as_its_owner_for_every_action_in_scope(api: Api, world: dict[str, Any]) -> None:
    token = new_token(api, world["owner"]["id"], [f"{world['posts']}:*"])["token"]
    base = f"/api/collections/{world['posts']}/records"
    # PocketBase's bare form, as the JS SDK sends it
    listed = api.http.get(base, headers={"Authorization": token})
    assert listed.status_code == 200 and listed.json()["totalItems"] >= 1
    created = with_token(api, token, "POST", base, json={"title": "by token"})
    assert created.status_code == 200, created.text
    record_id = created.json()["id"]
    assert with_token(api, token, "GET", f"{base}/{record_id}").status_code == 200
    updated = with_token(api, token, "PATCH", f"{base}/{record_id}", json={"title": "edited"})
    assert updated.status_code == 200 and updated.json()["title"] == "edited"
    assert with_token(api, token, "DELETE", f"{base}/{record_id}").status_code == 204


def test_an_action_outside_the_scopes_is_a_403_before_any_rule(api: Api, world: dict[str, Any]) -> None:
    token = new_token(api, world["owner"]["id"], [f"{world['posts']}:list"])["token"]
    posts, notes = f"/api/collections/{world['posts']}/records", f"/api/collections/{world['notes']}/records"
    assert with_token(api, token, "GET", posts).status_code == 200
    for method, path, body in (("GET", f"{posts}/{world['post']['id']}", None), ("POST", posts, {"title": "x"}),
                               ("PATCH", f"{posts}/{world['post']['id']}", {"title": "x"}),
                               ("DELETE", f"{posts}/{world['post']['id']}", None), ("GET", notes, None),
                               ("GET", f"{notes}/{world['note']['id']}", None)):
        response = with_token(api, token, method, path, json=body)
        assert response.status_code == 403 and response.json() == OUT_OF_SCOPE, (method, path, response.text)
    # And the record is untouched
    assert api.ok("GET", f"{posts}/{world['post']['id']}")["title"] == "first"


def test_a_read_only_token_never_writes(api: Api, world: dict[str, Any]) -> None:
    token = new_token(api, world["owner"]["id"], ["*:*"], readOnly=True)["token"]
    posts = f"/api/collections/{world['posts']}/records"
    assert with_token(api, token, "GET", posts).status_code == 200
    assert with_token(api, token, "POST", posts, json={"title": "x"}).json() == OUT_OF_SCOPE
    batch = with_token(api, token, "POST", "/api/batch", json={"requests": [
        {"method": "POST", "url": posts, "body": {"title": "via batch"}}]})
    assert batch.status_code == 400, batch.text
    assert api.list_records(world["posts"], filter='title = "via batch"')["totalItems"] == 0


def test_a_batch_with_one_request_out_of_scope_writes_nothing(api: Api, world: dict[str, Any]) -> None:
    token = new_token(api, world["owner"]["id"], [f"{world['posts']}:create"])["token"]
    marker = unique("mixed")
    batch = with_token(api, token, "POST", "/api/batch", json={"requests": [
        {"method": "POST", "url": f"/api/collections/{world['posts']}/records", "body": {"title": marker}},
        {"method": "POST", "url": f"/api/collections/{world['notes']}/records", "body": {"text": marker}}]})
    # Then the whole batch is refused, naming the out-of-scope request, and nothing is written
    assert batch.status_code == 400 and "1" in batch.json()["data"]["requests"], batch.text
    assert batch.json()["data"]["requests"]["1"]["response"]["status"] == 403
    assert api.list_records(world["posts"], filter=f'title = "{marker}"')["totalItems"] == 0


def test_expand_into_a_collection_outside_the_scopes_reveals_nothing(api: Api, world: dict[str, Any]) -> None:
    scoped = new_token(api, world["owner"]["id"], [f"{world['posts']}:list", f"{world['posts']}:view"])["token"]
    wide = new_token(api, world["owner"]["id"], [f"{world['posts']}:*", f"{world['notes']}:view"])["token"]
    path = f"/api/collections/{world['posts']}/records/{world['post']['id']}"
    # (as for a related record the viewRule hides: an empty `expand`, nothing of the note)
    assert "note" not in with_token(api, scoped, "GET", path, params={"expand": "note"}).json().get("expand", {})
    listed = with_token(api, scoped, "GET", f"/api/collections/{world['posts']}/records", params={"expand": "note"})
    assert listed.status_code == 200 and all("note" not in i.get("expand", {}) for i in listed.json()["items"])
    # And with the notes' view in scope, the same expand is there
    assert with_token(api, wide, "GET", path, params={"expand": "note"}).json()["expand"]["note"]["text"] == "hidden"


def test_a_filter_through_a_relation_outside_the_scopes_is_refused(api: Api, world: dict[str, Any]) -> None:
    scoped = new_token(api, world["owner"]["id"], [f"{world['posts']}:list"])["token"]
    wide = new_token(api, world["owner"]["id"], [f"{world['posts']}:list", f"{world['notes']}:list"])["token"]
    path, probe = f"/api/collections/{world['posts']}/records", {"filter": 'note.text = "hidden"'}
    # When a token that may not list notes filters posts by a note's text / Then a 400, no answer either way
    refused = with_token(api, scoped, "GET", path, params=probe)
    assert refused.status_code == 400 and refused.json()["message"] == "Invalid filter parameters.", refused.text
    # And with notes in scope, the same filter finds the post
    found = with_token(api, wide, "GET", path, params=probe).json()
    assert [i["id"] for i in found["items"]] == [world["post"]["id"]]


def test_a_file_token_keeps_the_api_tokens_scopes(api: Api, world: dict[str, Any]) -> None:
    scoped = new_token(api, world["owner"]["id"], [f"{world['posts']}:*"])["token"]
    wide = new_token(api, world["owner"]["id"], [f"{world['notes']}:view"])["token"]
    url = f"/api/files/{world['notes']}/{world['note']['id']}/s.txt"
    for token, status in ((scoped, 404), (wide, 200)):
        file_token = with_token(api, token, "POST", "/api/files/token").json()["token"]
        assert api.http.get(url, params={"token": file_token}).status_code == status


def test_a_token_cannot_use_the_auth_endpoints_nor_change_credentials(api: Api, world: dict[str, Any]) -> None:
    owner_id = world["owner"]["id"]
    token = new_token(api, owner_id, ["*:*"])["token"]
    for method, path in (("POST", "/api/collections/users/auth-refresh"), ("POST", tokens_path(owner_id)),
                         ("GET", tokens_path(owner_id))):
        response = with_token(api, token, method, path, json={"name": "x", "scopes": ["*:*"]})
        assert response.status_code == 403, (path, response.text)
    changed = with_token(api, token, "PATCH", f"/api/collections/users/records/{owner_id}", json={
        "oldPassword": "User-pass-1234567", "password": "Other-pass-98765", "passwordConfirm": "Other-pass-98765"})
    assert changed.status_code == 403, changed.text
    # And a harmless field of the owner is theirs to change
    renamed = with_token(api, token, "PATCH", f"/api/collections/users/records/{owner_id}", json={"name": "bot"})
    assert renamed.status_code == 200, renamed.text


def test_a_password_change_or_deletion_ends_the_owners_tokens(api: Api, world: dict[str, Any]) -> None:
    user = api.sign_up_user("leaver")
    token = new_token(api, user["id"], ["users:view"], role="leaver")["token"]
    path = f"/api/collections/users/records/{user['id']}"
    assert with_token(api, token, "GET", path).status_code == 200
    # When the password changes / Then the token answers 401 and is gone from the list
    api.ok("PATCH", path, json={"password": "Fresh-pass-24680", "passwordConfirm": "Fresh-pass-24680"})
    assert with_token(api, token, "GET", path).status_code == 401
    assert api.ok("GET", tokens_path(user["id"])) == []
    # And a token of a deleted owner answers 401
    second = new_token(api, user["id"], ["users:view"], role="superuser")["token"]
    assert with_token(api, second, "GET", path).status_code == 200
    api.ok("DELETE", path, status=204)
    assert with_token(api, second, "GET", "/api/collections/users/records").status_code == 401


# superusers ---------------------------------------------------------------------------------------------------
def test_a_superusers_token_reaches_the_superuser_apis_only_when_scoped_to_everything(
        api: Api, world: dict[str, Any]) -> None:
    root_id = api.ok("GET", "/api/collections/_superusers/records")["items"][0]["id"]
    full = new_token(api, root_id, ["*:*"], role="superuser", collection="_superusers")["token"]
    narrow = new_token(api, root_id, [f"{world['posts']}:*"], role="superuser", collection="_superusers")["token"]
    reader = new_token(api, root_id, ["*:*"], role="superuser", collection="_superusers", readOnly=True)["token"]
    assert with_token(api, full, "GET", "/api/collections").status_code == 200
    assert with_token(api, narrow, "GET", "/api/collections").status_code == 403
    assert with_token(api, narrow, "GET", "/api/settings").status_code == 403
    assert with_token(api, narrow, "GET", f"/api/collections/{world['posts']}/records").status_code == 200
    assert with_token(api, narrow, "GET", f"/api/collections/{world['notes']}/records").status_code == 403
    assert with_token(api, reader, "GET", "/api/settings").status_code == 200
    assert with_token(api, reader, "PATCH", "/api/settings", json={"meta": {"appName": "x"}}).status_code == 403
    assert with_token(api, narrow, "GET", "/api/backups").status_code == 403
    # And only the full token's file token downloads a backup (an archive put straight into the bucket)
    client("s3").put_object(Bucket=resources.BACKUPS_BUCKET.physical_name, Key="tokens_backup.zip", Body=b"PK\x05\x06")
    try:
        for token, status in ((full, 200), (narrow, 403)):
            file_token = with_token(api, token, "POST", "/api/files/token").json()["token"]
            assert api.http.get("/api/backups/tokens_backup.zip", params={"token": file_token}).status_code == status
    finally:
        client("s3").delete_object(Bucket=resources.BACKUPS_BUCKET.physical_name, Key="tokens_backup.zip")
    # And a superuser manages any record's tokens
    assert new_token(api, world["owner"]["id"], ["*:view"], role="superuser")["recordId"] == world["owner"]["id"]


def test_each_token_is_its_own_rate_limit_key(api: Api, world: dict[str, Any]) -> None:
    # Given a tight rule for signed-in callers listing posts
    rules = api.ok("GET", "/api/settings")["rateLimits"]["rules"]
    tight = {"label": f"{world['posts']}:list", "audience": "@auth", "maxRequests": 2, "duration": 60}
    api.ok("PATCH", "/api/settings", json={"rateLimits": {"enabled": True, "rules": [tight, *rules]}})
    first = new_token(api, world["owner"]["id"], ["*:*"])["token"]
    second = new_token(api, world["owner"]["id"], ["*:*"])["token"]
    path = f"/api/collections/{world['posts']}/records"
    try:
        # When one token lists three times / Then its third request is a 429, and the other token is served
        statuses = [with_token(api, first, "GET", path).status_code for _ in range(3)]
        assert statuses == [200, 200, 429], statuses
        assert with_token(api, second, "GET", path).status_code == 200
    finally:
        api.ok("PATCH", "/api/settings", json={"rateLimits": {"rules": rules}})


def test_the_audit_log_names_the_token_a_write_was_made_with(api: Api, world: dict[str, Any]) -> None:
    # Given a token of the owner, and a post the owner creates with its token and then updates with its JWT
    token = new_token(api, world["owner"]["id"], [f"{world['posts']}:*"])
    post = with_token(api, token["token"], "POST", f"/api/collections/{world['posts']}/records",
                      json={"title": "by token"}).json()
    api.ok("PATCH", f"/api/collections/{world['posts']}/records/{post['id']}", role="owner", json={"title": "jwt"})
    # When the audit log has both entries
    deadline, entries = time.monotonic() + 15, []
    while len(entries) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        entries = api.ok("GET", "/api/audit", params={"filter": f"record = '{post['id']}'", "sort": "created"})["items"]
    # Then both are the owner's; only the token's write names the token, by its id and nothing of its secret
    assert [(e["action"], e["actor"]["id"], e["actor"]["apiTokenId"]) for e in entries] == [
        ("create", world["owner"]["id"], token["id"]), ("update", world["owner"]["id"], "")]
    # the secret is the last 43 characters (base64url: it may hold "_" itself)
    assert token["token"][-43:] not in str(entries)
    # And the audit list filters by it
    found = api.ok("GET", "/api/audit", params={"filter": f"actor.apiTokenId = '{token['id']}'"})["items"]
    assert [e["record"] for e in found] == [post["id"]]


@pytest.mark.parametrize("value", ["lb_abcdefghijklmno_" + "A" * 43, "lb_short"])
def test_health_answers_a_bad_api_token_as_it_answers_anyone(api: Api, value: str) -> None:
    # Given an unknown and a malformed API token (401 on every other route)
    # When each asks for health / Then PocketBase's answer to anyone: 200, no superuser diagnostics
    response = with_token(api, value, "GET", "/api/health")
    assert (response.status_code, response.json()) == (200, {"message": "API is healthy.", "code": 200, "data": {}})
    assert with_token(api, value, "GET", f"/api/collections/users/records/{'x' * 15}").status_code == 401
