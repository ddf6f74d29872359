"""The process's token service: settings and keyring read once, a Secrets Manager keyring re-read after its age."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from shared import settings
from shared.auth.keyring import clear_keyring_cache
from shared.auth.tokens import KEYRING_MAX_AGE_S, ProcessTokenService

OLD = json.dumps({"active": "k1", "keys": {"k1": "o" * 40}})
NEW = json.dumps({"active": "k2", "keys": {"k1": "o" * 40, "k2": "n" * 40}})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("LB_AUTH_SECRET", "LB_AUTH_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings.load.cache_clear()
    clear_keyring_cache()
    yield
    settings.load.cache_clear()
    clear_keyring_cache()


def _active_kid(service: ProcessTokenService) -> str:
    token = service.get().issue_token("auth", "r1", "c1", "key", 60)
    return str(service.get().peek_claims(token).kid)


def test_an_inline_secret_is_read_once_per_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function configured with an inline secret, whose service has answered once
    monkeypatch.setenv("LB_AUTH_SECRET", OLD)
    clock = Clock()
    service = ProcessTokenService(clock)
    first = service.get()
    # When the environment changes (it cannot on Lambda) and time passes
    monkeypatch.setenv("LB_AUTH_SECRET", NEW)
    clock.now += 10 * KEYRING_MAX_AGE_S
    # Then the same service answers: the environment is not read again
    assert service.get() is first
    assert _active_kid(service) == "k1"


@mock_aws
def test_a_rotated_secret_reaches_a_warm_instance_after_the_keyring_age(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a keyring loaded from Secrets Manager
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="auth", SecretString=OLD)["ARN"]
    monkeypatch.setenv("LB_AUTH_SECRET_ARN", arn)
    clock = Clock()
    service = ProcessTokenService(clock)
    assert _active_kid(service) == "k1"
    # When the secret rotates, Then the loaded keyring serves until it is KEYRING_MAX_AGE_S old, then the new one
    secrets.put_secret_value(SecretId=arn, SecretString=NEW)
    clock.now += KEYRING_MAX_AGE_S - 1
    assert _active_kid(service) == "k1"
    clock.now += 2
    assert _active_kid(service) == "k2"


@mock_aws
def test_a_failed_re_read_keeps_the_keyring_that_worked(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a keyring loaded from Secrets Manager
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="auth", SecretString=OLD)["ARN"]
    monkeypatch.setenv("LB_AUTH_SECRET_ARN", arn)
    clock = Clock()
    service = ProcessTokenService(clock)
    assert _active_kid(service) == "k1"
    # When the secret cannot be read any more at the next re-read
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    clock.now += KEYRING_MAX_AGE_S + 1
    # Then tokens are still issued and verified with the loaded keyring
    assert _active_kid(service) == "k1"
