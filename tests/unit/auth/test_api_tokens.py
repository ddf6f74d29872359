"""API tokens without AWS: the token format, hashing, scopes and their check, the in-memory repository's owner
conditions and the throttled usage recorder."""

from __future__ import annotations

import pytest

from shared.auth.api_tokens import (
    ApiToken,
    ApiTokenGrant,
    MalformedApiTokenError,
    format_token,
    hash_secret,
    is_api_token,
    new_secret,
    new_token_id,
    normalize_scopes,
    parse_token,
    secret_matches,
)
from shared.auth.api_tokens_repository import InMemoryApiTokenRepository
from shared.auth.api_tokens_usage import UsageRecorder
from shared.auth.errors import AuthStorageError
from tests.unit.auth.conftest import FakeClock


def token(**changes: object) -> ApiToken:
    values: dict[str, object] = {"id": "abcdefghijklmno", "collection_id": "pbc_users", "record_id": "r1",
                                 "name": "ci", "secret_hash": hash_secret("s"), "scopes": ("posts:list",),
                                 "created": 100, "expires_at": 200, "key_hash": "k"}
    return ApiToken.model_validate({**values, **changes})


# format ------------------------------------------------------------------------------------------------------
def test_a_new_token_parses_back_to_its_id_and_secret() -> None:
    token_id, secret = new_token_id(), new_secret()
    text = format_token(token_id, secret)
    assert text.startswith("lb_") and is_api_token(text)
    assert parse_token(text) == (token_id, secret)
    # And 256 random bits: 43 base64url characters, a new one every time
    assert len(secret) == 43 and new_secret() != secret and new_token_id() != token_id


@pytest.mark.parametrize("text", ["", "lb_", "lb_abc_def", "lb_ABCDEFGHIJKLMNO_" + "a" * 43,
                                  "lb_abcdefghijklmno_" + "a" * 42, "lb_abcdefghijklmno_" + "a" * 44,
                                  "lb_abcdefghijklmno-" + "a" * 43, "xx_abcdefghijklmno_" + "a" * 43,
                                  "lb_abcdefghijklmno_" + "a" * 42 + "!"])
def test_anything_else_is_malformed(text: str) -> None:
    with pytest.raises(MalformedApiTokenError):
        parse_token(text)


def test_a_jwt_is_not_an_api_token() -> None:
    assert not is_api_token("eyJhbGciOiJIUzI1NiJ9.e30.sig")


def test_only_the_hash_is_kept_and_compared() -> None:
    stored = hash_secret("secret-value")
    assert "secret-value" not in stored and len(stored) == 64
    assert secret_matches("secret-value", stored) and not secret_matches("secret-valuf", stored)


# scopes ------------------------------------------------------------------------------------------------------
def test_scopes_are_deduplicated_in_order() -> None:
    assert normalize_scopes(["posts:list", "*:view", "posts:list", "notes:*"]) == ("posts:list", "*:view", "notes:*")


@pytest.mark.parametrize("scope", ["posts", ":list", "posts:", "posts:publish", "posts:list:view", 3])
def test_a_scope_that_is_not_collection_action_is_refused(scope: object) -> None:
    with pytest.raises(ValueError):
        normalize_scopes([scope])  # type: ignore[list-item]


@pytest.mark.parametrize("scopes, read_only, collection, action, allowed", [
    (("posts:list",), False, "posts", "list", True),
    (("posts:list",), False, "posts", "view", False),
    (("posts:list",), False, "notes", "list", False),
    (("posts:*",), False, "posts", "delete", True),
    (("*:view",), False, "anything", "view", True),
    (("*:view",), False, "anything", "list", False),
    (("*:*",), False, "anything", "create", True),
    (("*:*",), True, "anything", "create", False),
    (("*:*",), True, "anything", "update", False),
    (("*:*",), True, "anything", "list", True),
    (("pbc_posts:view",), False, "posts", "view", True),  # by id as well as by name
    ((), False, "posts", "list", False),
])
def test_the_grant_allows_exactly_its_scopes(scopes: tuple[str, ...], read_only: bool, collection: str,
                                             action: str, allowed: bool) -> None:
    grant = ApiTokenGrant(token_id="t", scopes=scopes, read_only=read_only)
    assert grant.allows(f"pbc_{collection}", collection, action) is allowed


@pytest.mark.parametrize("scopes, read_only, method, allowed", [
    (("*:*",), False, "PATCH", True), (("*:*",), True, "GET", True), (("*:*",), True, "HEAD", True),
    (("*:*",), True, "DELETE", False), (("*:view", "*:list"), False, "GET", False), (("posts:*",), False, "GET", False),
])
def test_only_a_token_scoped_to_everything_reaches_the_superuser_apis(scopes: tuple[str, ...], read_only: bool,
                                                                      method: str, allowed: bool) -> None:
    assert ApiTokenGrant(token_id="t", scopes=scopes, read_only=read_only).allows_admin(method) is allowed


def test_expiry() -> None:
    assert token(expires_at=200).expired(200) and not token(expires_at=200).expired(199.5)
    assert not token(expires_at=0).expired(10**12)


# repository --------------------------------------------------------------------------------------------------
def test_the_repository_changes_a_token_only_for_its_owner() -> None:
    repo = InMemoryApiTokenRepository()
    repo.create(token())
    with pytest.raises(AuthStorageError):
        repo.create(token())
    # When another record names the token / Then nothing changes
    assert not repo.replace_secret("abcdefghijklmno", "pbc_users", "r2", "new")
    assert not repo.delete("abcdefghijklmno", "pbc_other", "r1")
    assert repo.get("abcdefghijklmno") == token()
    # And its owner rotates and then deletes it
    assert repo.replace_secret("abcdefghijklmno", "pbc_users", "r1", "new")
    assert repo.get("abcdefghijklmno").secret_hash == "new"  # type: ignore[union-attr]
    assert repo.delete("abcdefghijklmno", "pbc_users", "r1") and repo.get("abcdefghijklmno") is None
    assert repo.list_for_owner("pbc_users", "r1") == []


# usage -------------------------------------------------------------------------------------------------------
def test_usage_is_written_at_most_once_per_interval_and_counts_every_use(clock: FakeClock) -> None:
    repo = InMemoryApiTokenRepository()
    repo.create(token())
    recorder = UsageRecorder(repo, interval_s=60, clock=clock)
    # When the token is used five times within a minute
    written = [recorder.touch("abcdefghijklmno", "203.0.113.9") for _ in range(5)]
    # Then only the first use was written
    assert written == [True, False, False, False, False]
    assert repo.get("abcdefghijklmno").uses == 1  # type: ignore[union-attr]
    # And the next write, a minute later, carries the uses counted in between
    clock.advance(60)
    assert recorder.touch("abcdefghijklmno", "198.51.100.1")
    stored = repo.get("abcdefghijklmno")
    assert stored is not None and stored.uses == 6 and stored.last_ip == "198.51.100.1"
    assert stored.last_used == int(clock.now)


def test_a_failed_usage_write_is_retried_with_its_uses(clock: FakeClock) -> None:
    class FlakyRepository(InMemoryApiTokenRepository):
        fail = True

        def record_usage(self, token_id: str, at: int, ip: str, uses: int) -> None:
            if self.fail:
                raise AuthStorageError()
            super().record_usage(token_id, at, ip, uses)

    repo = FlakyRepository()
    repo.create(token())
    recorder = UsageRecorder(repo, interval_s=60, clock=clock)
    recorder.touch("abcdefghijklmno", "ip")  # fails, but does not raise
    repo.fail = False
    clock.advance(60)
    recorder.touch("abcdefghijklmno", "ip")
    assert repo.get("abcdefghijklmno").uses == 2  # type: ignore[union-attr]
