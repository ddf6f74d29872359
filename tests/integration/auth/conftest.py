"""Fixtures for the auth integration tests: the system table, created from its TableDef on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared import aws
from shared.auth.keyring import clear_keyring_cache
from shared.auth.refresh_repository import get_refresh_family_repository
from shared.auth.throttle_repository import get_sign_in_throttle_repository
from shared.ratelimit.repository import get_rate_limit_repository
from shared.resources import SYSTEM_TABLE, TableDef


def create_table_from_def(client: Any, table: TableDef) -> str:
    """Create a DynamoDB table exactly as a TableDef describes it (keys, GSIs, stream, TTL)."""
    attributes = {table.partition_key, table.sort_key}
    for index in table.indexes:
        attributes |= {index.partition_key, index.sort_key}
    request: dict[str, Any] = {
        "TableName": table.physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [{"AttributeName": table.partition_key, "KeyType": "HASH"},
                      {"AttributeName": table.sort_key, "KeyType": "RANGE"}],
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [{
            "IndexName": index.name,
            "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"},
                          {"AttributeName": index.sort_key, "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        } for index in table.indexes]
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    client.create_table(**request)
    if table.ttl_attribute:
        client.update_time_to_live(TableName=table.physical_name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": table.ttl_attribute})
    return table.physical_name


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
    return create_table_from_def(boto3.client("dynamodb"), SYSTEM_TABLE)


@pytest.fixture
def dynamodb_client(moto_aws: None) -> Any:
    return boto3.client("dynamodb")
