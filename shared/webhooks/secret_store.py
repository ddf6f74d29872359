"""Where subscriptions' signing secrets live: outside their records, so no API read ever shows them again.

DynamoDB: one small partition of the system table, `pk=webhook-secrets, sk=<webhook id>`, read whole by the
deliveries function's subscription cache (one Query per instance every few seconds). A secret signs, so it must
be read back and cannot be hashed: each item holds the keys sealed with the webhooks KMS key (encryption context
`webhook:<id>`, so a ciphertext moved to another subscription does not open), and a ciphertext once opened is
remembered by the instance, so the cache's refreshes call KMS only for secrets that changed. Only the records
function (encrypt: a create), the webhooks function (both: a rotation) and deliveries (decrypt) hold the key.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

from shared.app_settings.secrets import KmsSecretCipher, SecretCipher
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


def _field(webhook_id: str) -> str:
    return f"webhook:{webhook_id}"


class DynamoSecretStore(SecretStore):
    def __init__(self, table_name: str, cipher: SecretCipher) -> None:
        self.table = table_name
        self.cipher = cipher

    def _open(self, webhook_id: str, item: dict[str, dict[str, str]]) -> SigningKeys:
        return SigningKeys.model_validate_json(self.cipher.decrypt(item["sealed"]["S"], _field(webhook_id)))

    def get(self, webhook_id: str) -> SigningKeys | None:
        item = client("dynamodb").get_item(TableName=self.table, ConsistentRead=True,
                                           Key={"pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}}).get("Item")
        return self._open(webhook_id, item) if item else None

    def put(self, webhook_id: str, keys: SigningKeys) -> None:
        sealed = self.cipher.encrypt(keys.model_dump_json(), _field(webhook_id))
        client("dynamodb").put_item(TableName=self.table, Item={
            "pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}, "sealed": {"S": sealed}})

    def delete(self, webhook_id: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key={"pk": {"S": SECRETS_PK}, "sk": {"S": webhook_id}})

    def all(self) -> dict[str, SigningKeys]:
        found: dict[str, SigningKeys] = {}
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                       ExpressionAttributeValues={":pk": {"S": SECRETS_PK}}, ConsistentRead=True):
            for item in page.get("Items", []):
                found[item["sk"]["S"]] = self._open(item["sk"]["S"], item)
        return found


@cache
def get_secret_store(table_name: str) -> SecretStore:
    from shared import settings

    key = settings.load(settings.WebhooksKey).webhooks_key
    if not key:
        # CDK hands the key to the functions granted it, as does the local stack; no secret is kept in clear.
        raise RuntimeError("LB_WEBHOOKS_KEY is not set: webhook secrets cannot be sealed or opened")
    return DynamoSecretStore(table_name, KmsSecretCipher(key))
