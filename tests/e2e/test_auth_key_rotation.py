"""Signing-key rotation across a restart of a real `lambdabase run` process, on a stack of its own."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.support.sign_in import ENV, new_user, sign_in
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e



@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    proc = StackProcess(tmp_path_factory.mktemp("limits") / "data", env=ENV).start()
    yield proc
    proc.discard()


# signing-key rotation (restarts this module's stack: keep it last) ---------------------------------
def _secrets_file(stack: StackProcess) -> Path:
    return stack.data_dir / "secrets.json"


def test_key_rotation_keeps_everyone_signed_in(limited: StackProcess) -> None:
    # Given a user signed in with the stack's current (single, kid "default") signing key
    client = httpx.Client(base_url=limited.url, timeout=30)
    address = new_user(client)
    before = sign_in(client, address).json()
    assert jwt.get_unverified_header(before["token"])["kid"] == "default"
    old_secret = json.loads(_secrets_file(limited).read_text())["auth"]
    # When the operator adds key k2, makes it active, and the functions cold-start
    new_secret = "k2-" + uuid.uuid4().hex + uuid.uuid4().hex
    keyring: dict[str, Any] = {"active": "k2", "keys": {"default": old_secret, "k2": new_secret}}
    _restart_with_keyring(limited, keyring)
    # Then the old token and refresh token still work, and new tokens are signed with k2
    refreshed = client.post("/api/collections/users/auth-refresh", headers={"Authorization": before["token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert jwt.get_unverified_header(refreshed.json()["token"])["kid"] == "k2"
    rotated = client.post("/api/collections/users/auth-with-refresh-token",
                          json={"refreshToken": before["refreshToken"]})
    assert rotated.status_code == 200 and jwt.get_unverified_header(rotated.json()["token"])["kid"] == "k2"
    # (Retiring a key, after which its tokens fail, is proven by the token service's unit tests.)


def _restart_with_keyring(stack: StackProcess, keyring: dict[str, Any]) -> None:
    assert stack.stop() == 0
    _secrets_file(stack).write_text(json.dumps({"auth": json.dumps(keyring)}))
    stack.start()
