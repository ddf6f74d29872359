"""Where subscriptions' signing secrets live: outside their records, so no API read ever shows them again.

DynamoDB: one small partition of the system table, `pk=webhook-secrets, sk=<webhook id>`, read whole by the
deliveries function's subscription cache (one Query per instance every few seconds).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

from shared.aws import client
from shared.webhooks.secrets import SigningKeys

SECRETS_PK = "webhook-secrets"


class SecretStore(ABC):
    @abstractmethod
    def get(self, webhook_id: str) -> SigningKeys | None: ...

    @abstractmethod
    def put(self, webhook_id: str, keys: SigningKeys) -> None: ...

    @abstractmethod
    def delete(self, webhook_id: str) -> None: ...

    @abstractmethod
    def all(self) -> dict[str, SigningKeys]: ...


class InMemorySecretStore(SecretStore):
    def __init__(self) -> None:
        self.keys: dict[str, SigningKeys] = {}

    def get(self, webhook_id: str) -> SigningKeys | None:
        return self.keys.get(webhook_id)

    def put(self, webhook_id: str, keys: SigningKeys) -> None:
        self.keys[webhook_id] = keys

    def delete(self, webhook_id: str) -> None:
        self.keys.pop(webhook_id, None)

    def all(self) -> dict[str, SigningKeys]:
        return dict(self.keys)


class DynamoSecretStore(SecretStore):
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def get(self, webhook_id: str) -> SigningKeys | None:
        item = client("dynamodb").get_item(TableName=self.table, ConsistentRead=True,
                                           Key={"pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}}).get("Item")
        return SigningKeys.model_validate_json(item["keys"]["S"]) if item else None

    def put(self, webhook_id: str, keys: SigningKeys) -> None:
        client("dynamodb").put_item(TableName=self.table, Item={
            "pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}, "keys": {"S": keys.model_dump_json()}})

    def delete(self, webhook_id: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key={"pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}})

    def all(self) -> dict[str, SigningKeys]:
        found: dict[str, SigningKeys] = {}
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                       ExpressionAttributeValues={":pk": {"S": SECRETS_PK}}, ConsistentRead=True):
            for item in page.get("Items", []):
                found[item["sk"]["S"]] = SigningKeys.model_validate_json(item["keys"]["S"])
        return found


@cache
def get_secret_store(table_name: str) -> SecretStore:
    return DynamoSecretStore(table_name)
