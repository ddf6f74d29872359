"""Realtime refuses API tokens (docs/api-auth.md, "API tokens"): an `lb_` token never authenticates a socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.app_settings import provider
from shared.auth.api_tokens import format_token, new_secret, new_token_id
from tests.unit.realtime.realtime_world import RealtimeWorld


@pytest.fixture
def world() -> Iterator[RealtimeWorld]:
    w = RealtimeWorld.in_memory()
    w.connect("c1")
    yield w
    provider.use_source(None)


@pytest.mark.parametrize("prefix", ["", "Bearer "])
def test_an_api_token_is_a_401_and_keeps_the_previous_auth(world: RealtimeWorld, prefix: str) -> None:
    # Given a connection authenticated as alice
    world.send("c1", type="auth", token=world.token("alice"))
    before = world.store.connection("c1").auth  # type: ignore[union-attr]
    # When it sends a well-formed API token / Then PocketBase's 401, and it still acts as alice
    reply = world.send("c1", type="auth", token=prefix + format_token(new_token_id(), new_secret()))
    assert reply["type"] == "error" and reply["status"] == 401
    assert world.store.connection("c1").auth == before  # type: ignore[union-attr]
