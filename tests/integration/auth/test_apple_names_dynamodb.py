"""Apple's name hand-over on DynamoDB: keyed by the code's hash (never the code), taken once, refused once stale."""

from __future__ import annotations

from typing import Any

from shared.accounts.oauth2.apple_names import DynamoAppleNameStore


def test_a_name_is_taken_once_and_the_code_is_not_stored(moto_system_table: str, dynamodb_client: Any) -> None:
    # Given a name kept for a code
    names = DynamoAppleNameStore(moto_system_table)
    names.put("the-apple-code", "Ada Lovelace", now=1_000)
    # Then the table holds no trace of the code itself
    items = dynamodb_client.scan(TableName=moto_system_table)["Items"]
    assert items and "the-apple-code" not in str(items)
    # When the sign-in takes it, Then the name, once
    assert names.take("the-apple-code", now=1_030) == "Ada Lovelace"
    assert names.take("the-apple-code", now=1_030) is None


def test_a_stale_name_is_refused_though_ttl_has_not_deleted_it(moto_system_table: str) -> None:
    names = DynamoAppleNameStore(moto_system_table)
    names.put("code", "Ada", now=1_000)
    assert names.take("code", now=1_061) is None
