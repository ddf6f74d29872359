"""Fixtures for the auth integration tests: the system table, created from its definition on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.cloud import create_table
from shared import aws
from shared.auth.keyring import clear_keyring_cache
from shared.auth.refresh_repository import get_refresh_family_repository
from shared.auth.throttle_repository import get_sign_in_throttle_repository
from shared.ratelimit.repository import get_rate_limit_repository
from shared.resources import SYSTEM_TABLE


def _forget_cached_clients() -> None:
    aws.client.cache_clear()
    clear_keyring_cache()
    for factory in (get_refresh_family_repository, get_sign_in_throttle_repository, get_rate_limit_repository):
        factory.cache_clear()


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An in-process moto account with fake credentials; no request can leave the machine."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    _forget_cached_clients()
    with mock_aws():
        yield
    _forget_cached_clients()


@pytest.fixture
def moto_system_table(moto_aws: None) -> str:
    """The system table (shared.resources.SYSTEM_TABLE) on moto; returns its name."""
    create_table(SYSTEM_TABLE)
    return SYSTEM_TABLE.physical_name


@pytest.fixture
def dynamodb_client(moto_aws: None) -> Any:
    return boto3.client("dynamodb")
