"""Keyring config: plain or JSON secrets, validation, and a clear error when nothing is configured."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shared.auth.errors import AuthConfigurationError
from shared.auth.keyring import DEFAULT_KID, clear_keyring_cache, load_keyring, parse_keyring
from shared.auth.settings import AuthSecret

LONG_A = "a" * 40
LONG_B = "b" * 40


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LB_AUTH_SECRET", raising=False)
    monkeypatch.delenv("LB_AUTH_SECRET_ARN", raising=False)
    clear_keyring_cache()
    yield
    clear_keyring_cache()


def test_plain_string_is_one_default_key() -> None:
    keyring = parse_keyring(f"  {LONG_A}\n")

    assert keyring.active == DEFAULT_KID
    assert keyring.active_secret() == LONG_A.encode()


def test_json_keyring_names_the_active_kid() -> None:
    keyring = parse_keyring(json.dumps({"active": "k2", "keys": {"k1": LONG_A, "k2": LONG_B}}))

    assert keyring.active == "k2"
    assert keyring.secret("k1") == LONG_A.encode()
    assert keyring.secret("k3") is None


@pytest.mark.parametrize("raw", [
    "",
    "short",
    '{"active": "k9", "keys": {"k1": "' + LONG_A + '"}}',
    '{"active": "k1", "keys": {"k1": "too-short"}}',
    '{"active": "bad kid", "keys": {"bad kid": "' + LONG_A + '"}}',
    '{"active": "k1", "keys": ',
])
def test_invalid_keyrings_are_configuration_errors_that_do_not_leak_secrets(raw: str) -> None:
    with pytest.raises(AuthConfigurationError) as err:
        parse_keyring(raw)

    assert err.value.status == 500
    assert "too-short" not in str(err.value) and LONG_A not in str(err.value)
    assert err.value.body()["message"] == "Something went wrong while processing your request."


def test_nothing_configured_is_a_clear_error() -> None:
    with pytest.raises(AuthConfigurationError) as err:
        load_keyring(AuthSecret())

    assert "LB_AUTH_SECRET" in str(err.value)


def test_inline_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_AUTH_SECRET", json.dumps({"active": "k1", "keys": {"k1": LONG_A}}))

    keyring = load_keyring()

    assert keyring.active == "k1"
    assert load_keyring() is keyring  # loaded once, then cached
