"""Data access for API tokens: the interface, an in-memory fake and the DynamoDB implementation.

Item (system table): `pk` `apitoken#<id>`, `sk` `token`, read by key on every use; `gsi1pk`
`apitoken#owner#<collectionId>#<recordId>`, `gsi1sk` `<created>#<id>`, to list an owner's tokens; `ttl` the
expiry, so DynamoDB removes expired tokens (an expired one is refused on use before TTL gets to it).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.auth.api_tokens import ApiToken
from shared.auth.dynamo import conditional, dynamodb, from_item, storage_error, to_item
from shared.auth.errors import AuthStorageError

ENTITY = "apiToken"
TOKEN_SK = "token"


def token_pk(token_id: str) -> str:
    return f"apitoken#{token_id}"


def owner_key(collection_id: str, record_id: str) -> str:
    return f"apitoken#owner#{collection_id}#{record_id}"


class ApiTokenRepository(ABC):
    """Stores API tokens; writes are conditional on the token's owner, so no one changes another's token."""

    @abstractmethod
    def create(self, token: ApiToken) -> None:
        """Store a new token (AuthStorageError if its id exists)."""

    @abstractmethod
    def get(self, token_id: str) -> ApiToken | None:
        """Read a token by id with a strongly consistent read, or None."""

    @abstractmethod
    def list_for_owner(self, collection_id: str, record_id: str) -> list[ApiToken]:
        """The owner's tokens, oldest first (from the index: a token created a moment ago may be missing)."""

    @abstractmethod
    def replace_secret(self, token_id: str, collection_id: str, record_id: str, secret_hash: str) -> bool:
        """Give the owner's token a new secret hash; False when it is not the owner's token."""

    @abstractmethod
    def delete(self, token_id: str, collection_id: str, record_id: str) -> bool:
        """Remove the owner's token; False when it is not the owner's token."""

    @abstractmethod
    def record_usage(self, token_id: str, at: int, ip: str, uses: int) -> None:
        """Add `uses` to the count and set the last use, if the token still exists."""


class InMemoryApiTokenRepository(ApiTokenRepository):
    """A thread-safe fake with the same semantics, for unit tests."""

    def __init__(self) -> None:
        self._tokens: dict[str, ApiToken] = {}
        self._lock = threading.Lock()

    def create(self, token: ApiToken) -> None:
        with self._lock:
            if token.id in self._tokens:
                raise AuthStorageError()
            self._tokens[token.id] = token

    def get(self, token_id: str) -> ApiToken | None:
        with self._lock:
            return self._tokens.get(token_id)

    def list_for_owner(self, collection_id: str, record_id: str) -> list[ApiToken]:
        with self._lock:
            found = [t for t in self._tokens.values() if (t.collection_id, t.record_id) == (collection_id, record_id)]
        return sorted(found, key=lambda t: (t.created, t.id))

    def _owned(self, token_id: str, collection_id: str, record_id: str) -> ApiToken | None:
        token = self._tokens.get(token_id)
        return token if token and (token.collection_id, token.record_id) == (collection_id, record_id) else None

    def replace_secret(self, token_id: str, collection_id: str, record_id: str, secret_hash: str) -> bool:
        with self._lock:
            token = self._owned(token_id, collection_id, record_id)
            if token is None:
                return False
            self._tokens[token_id] = token.model_copy(update={"secret_hash": secret_hash})
            return True

    def delete(self, token_id: str, collection_id: str, record_id: str) -> bool:
        with self._lock:
            if self._owned(token_id, collection_id, record_id) is None:
                return False
            del self._tokens[token_id]
            return True

    def record_usage(self, token_id: str, at: int, ip: str, uses: int) -> None:
        with self._lock:
            token = self._tokens.get(token_id)
            if token is not None:
                self._tokens[token_id] = token.model_copy(update={
                    "last_used": max(at, token.last_used), "last_ip": ip, "uses": token.uses + uses})


class DynamoApiTokenRepository(ApiTokenRepository):
    """One item per token in the system table, on gsi1 under its owner."""

    def __init__(self, table_name: str, index_name: str = "gsi1") -> None:
        self._table = table_name
        self._index = index_name

    def create(self, token: ApiToken) -> None:
        item: dict[str, Any] = {
            "pk": token_pk(token.id), "sk": TOKEN_SK, "entity": ENTITY, **token.model_dump(),
            "gsi1pk": owner_key(token.collection_id, token.record_id), "gsi1sk": f"{token.created:012d}#{token.id}",
        }
        if token.expires_at:
            item["ttl"] = token.expires_at
        try:
            dynamodb().put_item(TableName=self._table, Item=to_item(item),
                                ConditionExpression="attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "api_tokens.create") from exc

    def get(self, token_id: str) -> ApiToken | None:
        try:
            item = dynamodb().get_item(TableName=self._table, Key=_key(token_id), ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "api_tokens.get") from exc
        return _token(item) if item is not None else None

    def list_for_owner(self, collection_id: str, record_id: str) -> list[ApiToken]:
        request: dict[str, Any] = {
            "TableName": self._table, "IndexName": self._index, "KeyConditionExpression": "gsi1pk = :owner",
            "ExpressionAttributeValues": to_item({":owner": owner_key(collection_id, record_id)}),
        }
        found: list[ApiToken] = []
        try:
            while True:
                page = dynamodb().query(**request)
                found.extend(_token(item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return found
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "api_tokens.list_for_owner") from exc

    def _owned_update(self, operation: str, token_id: str, collection_id: str, record_id: str,
                      **update: Any) -> bool:
        values = update.pop("values", {})
        return conditional(f"api_tokens.{operation}", lambda: getattr(dynamodb(), operation)(
            TableName=self._table, Key=_key(token_id),
            # the owner is part of the condition: a token id alone never lets one record touch another's
            ConditionExpression="collection_id = :c AND record_id = :r",
            ExpressionAttributeValues=to_item({":c": collection_id, ":r": record_id, **values}),
            **update))

    def replace_secret(self, token_id: str, collection_id: str, record_id: str, secret_hash: str) -> bool:
        return self._owned_update("update_item", token_id, collection_id, record_id,
                                  UpdateExpression="SET secret_hash = :h", values={":h": secret_hash})

    def delete(self, token_id: str, collection_id: str, record_id: str) -> bool:
        return self._owned_update("delete_item", token_id, collection_id, record_id)

    def record_usage(self, token_id: str, at: int, ip: str, uses: int) -> None:
        # a token revoked meanwhile fails the condition: nothing to count
        conditional("api_tokens.record_usage", lambda: dynamodb().update_item(
            TableName=self._table, Key=_key(token_id),
            UpdateExpression="SET last_used = :at, last_ip = :ip ADD uses :n",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=to_item({":at": at, ":ip": ip, ":n": uses})))


def _key(token_id: str) -> dict[str, Any]:
    return to_item({"pk": token_pk(token_id), "sk": TOKEN_SK})


def _token(item: dict[str, Any]) -> ApiToken:
    values = from_item(item)
    values["scopes"] = tuple(values.get("scopes") or ())
    return ApiToken.model_validate({k: v for k, v in values.items() if k in ApiToken.model_fields})


@cache
def get_api_token_repository(table_name: str) -> ApiTokenRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoApiTokenRepository(table_name)
