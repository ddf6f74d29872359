"""Backups API over HTTP in-process: file tokens' claims and lifetime, and who may download an archive."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import httpx
import jwt
import pytest

from shared import resources
from shared.aws import client
from tests.support.in_process import InProcessStack
from tests.support.records_api import Api

pytestmark = pytest.mark.api


def claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_a_file_token_has_pocketbases_claims_and_lifetime(api: Api) -> None:
    # Given a signed-in superuser and user
    api.sign_up_user("user")
    for role, collection in (("superuser", "_superusers"), ("user", "users")):
        # When each asks for a file token
        token = api.ok("POST", "/api/files/token", role=role)["token"]

        # Then it is a file token of the caller, valid for the collection's fileToken duration (180 s)
        found = claims(token)
        assert found["type"] == "file"
        assert isinstance(found["id"], str) and isinstance(found["collectionId"], str)
        assert abs(int(str(found["exp"])) - time.time() - 180) < 5
        me = api.ok("GET", f"/api/collections/{collection}/records/{found['id']}", role=role)
        assert me["collectionName"] == collection


def test_only_a_superusers_file_token_downloads_a_backup(api: Api) -> None:
    # Given a backup and file tokens of a superuser and of a user
    api.ok("POST", "/api/backups", json={"name": "api_download.zip"}, status=204)
    deadline = time.monotonic() + 60
    while not api.ok("GET", "/api/health")["data"]["canBackup"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    # (superusers' health says how the last job ended, additively: the dashboard reports it)
    last = api.ok("GET", "/api/health")["data"]["lastBackup"]
    assert {k: last[k] for k in ("action", "key", "error")} == {"action": "create", "key": "api_download.zip",
                                                                 "error": ""}
    assert abs(time.time() - datetime.strptime(last["finished"], "%Y-%m-%d %H:%M:%S.%fZ").replace(
        tzinfo=UTC).timestamp()) < 60
    assert "lastBackup" not in api.ok("GET", "/api/health", role="guest")["data"]
    api.sign_up_user("downloader")
    superuser_token = api.ok("POST", "/api/files/token")["token"]
    user_token = api.ok("POST", "/api/files/token", role="downloader")["token"]
    auth_token = api.tokens["superuser"]

    # When each downloads it, Then only the superuser's file token gets the zip (inline, or through the redirect
    # an archive over 4 MiB answers: the stack is shared by this package's modules, whose files it backs up)
    ok = api.request("GET", "/api/backups/api_download.zip", role="guest", params={"token": superuser_token})
    assert ok.status_code in (200, 302)
    archive = ok.content if ok.status_code == 200 else httpx.get(ok.headers["location"], timeout=30).content
    assert archive[:2] == b"PK"
    for token in (user_token, auth_token, "", "garbage"):
        refused = api.request("GET", "/api/backups/api_download.zip", role="guest", params={"token": token})
        assert refused.status_code == 403
        assert refused.json()["message"] == "Insufficient permissions to access the resource."
    api.ok("DELETE", "/api/backups/api_download.zip", status=204)


def test_an_archive_over_4_mib_is_a_redirect_a_client_can_follow(api: Api, stack: InProcessStack) -> None:
    # Given an archive larger than a Lambda response carries (put straight into the backups bucket)
    body = b"PK" + os.urandom(5 << 20)
    client("s3").put_object(Bucket=resources.BACKUPS_BUCKET.physical_name, Key="api_large.zip", Body=body)
    token = api.ok("POST", "/api/files/token")["token"]
    # When a superuser's file token downloads it
    redirect = api.request("GET", "/api/backups/api_large.zip", role="guest", params={"token": token})
    # Then it is a redirect to a presigned URL on the endpoint browsers reach (moto's server locally), whose
    # bytes are the archive's
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith(stack.moto_endpoint())
    assert httpx.get(location, timeout=30).content == body
    api.ok("DELETE", "/api/backups/api_large.zip", status=204)
