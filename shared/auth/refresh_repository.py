"""Data access for refresh-token families: the interface, an in-memory fake and the DynamoDB implementation."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.auth.dynamo import conditional, dynamodb, from_item, is_condition_failure, storage_error, to_item
from shared.auth.errors import AuthStorageError, StaleRefreshTokenError
from shared.auth.refresh_models import RefreshFamily

ENTITY = "refreshFamily"


def record_pk(collection_id: str, record_id: str) -> str:
    """Partition of all families of one record, so that listing and revoking them is one Query."""
    return f"rt#r#{collection_id}#{record_id}"


def family_sk(family_id: str) -> str:
    return f"f#{family_id}"


def pointer_pk(family_id: str) -> str:
    """Immutable pointer from a family id (all a refresh token carries) to its record partition."""
    return f"rt#f#{family_id}"


POINTER_SK = "ptr"


class RefreshFamilyRepository(ABC):
    """Stores refresh-token families; `replace_token` is the compare-and-set that makes rotation atomic."""

    @abstractmethod
    def create(self, family: RefreshFamily) -> None:
        """Store a new family."""

    @abstractmethod
    def get(self, family_id: str) -> RefreshFamily | None:
        """Read a family by id with a strongly consistent read, or None."""

    @abstractmethod
    def replace_token(self, family: RefreshFamily, expected_hash: str, now: int) -> None:
        """Write the rotated family only if its current hash is still `expected_hash`, it is not revoked and
        not expired; raise StaleRefreshTokenError otherwise."""

    @abstractmethod
    def revoke(self, collection_id: str, record_id: str, family_id: str, now: int) -> bool:
        """Mark one family revoked; False when it does not exist for this record."""

    @abstractmethod
    def list_for_record(self, collection_id: str, record_id: str) -> list[RefreshFamily]:
        """All families of a record, revoked and expired ones included."""


class InMemoryRefreshFamilyRepository(RefreshFamilyRepository):
    """A thread-safe fake with the same semantics, for unit tests."""

    def __init__(self) -> None:
        self._families: dict[str, RefreshFamily] = {}
        self._lock = threading.Lock()

    def create(self, family: RefreshFamily) -> None:
        with self._lock:
            if family.id in self._families:
                raise AuthStorageError()
            self._families[family.id] = family

    def get(self, family_id: str) -> RefreshFamily | None:
        with self._lock:
            return self._families.get(family_id)

    def replace_token(self, family: RefreshFamily, expected_hash: str, now: int) -> None:
        with self._lock:
            stored = self._families.get(family.id)
            if (stored is None or stored.current_hash != expected_hash or stored.revoked
                    or stored.expires_at <= now):
                raise StaleRefreshTokenError(family.id)
            self._families[family.id] = stored.model_copy(update={
                "current_hash": family.current_hash, "previous_hashes": family.previous_hashes,
                "rotated_at": family.rotated_at, "last_used": family.last_used,
                "user_agent": family.user_agent, "ip": family.ip,
            })

    def revoke(self, collection_id: str, record_id: str, family_id: str, now: int) -> bool:
        with self._lock:
            stored = self._families.get(family_id)
            if stored is None or (stored.collection_id, stored.record_id) != (collection_id, record_id):
                return False
            if not stored.revoked:
                self._families[family_id] = stored.model_copy(update={"revoked": True, "revoked_at": now})
            return True

    def list_for_record(self, collection_id: str, record_id: str) -> list[RefreshFamily]:
        with self._lock:
            found = [f for f in self._families.values()
                     if f.collection_id == collection_id and f.record_id == record_id]
        return sorted(found, key=lambda f: f.id)


class DynamoRefreshFamilyRepository(RefreshFamilyRepository):
    """Families in the system table under the record's partition, plus a pointer item per family id."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def create(self, family: RefreshFamily) -> None:
        values = family.model_dump()
        family_item = to_item({
            "pk": record_pk(family.collection_id, family.record_id), "sk": family_sk(family.id),
            "entity": ENTITY, **values, "ttl": family.expires_at,
        })
        pointer_item = to_item({
            "pk": pointer_pk(family.id), "sk": POINTER_SK, "entity": ENTITY + "Pointer",
            "collection_id": family.collection_id, "record_id": family.record_id, "ttl": family.expires_at,
        })
        new_only = "attribute_not_exists(pk)"
        try:
            dynamodb().transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": family_item, "ConditionExpression": new_only}},
                {"Put": {"TableName": self._table, "Item": pointer_item, "ConditionExpression": new_only}},
            ])
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "refresh.create") from exc

    def get(self, family_id: str) -> RefreshFamily | None:
        try:
            pointer = dynamodb().get_item(
                TableName=self._table, Key=to_item({"pk": pointer_pk(family_id), "sk": POINTER_SK}),
                ConsistentRead=True,
            ).get("Item")
            if pointer is None:
                return None
            ptr = from_item(pointer)
            item = dynamodb().get_item(
                TableName=self._table,
                Key=to_item({"pk": record_pk(ptr["collection_id"], ptr["record_id"]), "sk": family_sk(family_id)}),
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "refresh.get") from exc
        return _family(item) if item is not None else None

    def replace_token(self, family: RefreshFamily, expected_hash: str, now: int) -> None:
        try:
            dynamodb().update_item(
                TableName=self._table,
                Key=to_item({"pk": record_pk(family.collection_id, family.record_id), "sk": family_sk(family.id)}),
                UpdateExpression=(
                    "SET current_hash = :new, previous_hashes = :prev, rotated_at = :rotated, "
                    "last_used = :used, user_agent = :ua, ip = :ip"
                ),
                # The compare-and-set: of two concurrent rotations of one token exactly one passes.
                ConditionExpression="current_hash = :expected AND revoked = :false AND expires_at > :now",
                ExpressionAttributeValues=to_item({
                    ":new": family.current_hash, ":prev": family.previous_hashes, ":rotated": family.rotated_at,
                    ":used": family.last_used, ":ua": family.user_agent, ":ip": family.ip,
                    ":expected": expected_hash, ":false": False, ":now": now,
                }),
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                raise StaleRefreshTokenError(family.id) from exc
            raise storage_error(exc, "refresh.replace_token") from exc
        except BotoCoreError as exc:
            raise storage_error(exc, "refresh.replace_token") from exc

    def revoke(self, collection_id: str, record_id: str, family_id: str, now: int) -> bool:
        return conditional("refresh.revoke", lambda: dynamodb().update_item(
            TableName=self._table,
            Key=to_item({"pk": record_pk(collection_id, record_id), "sk": family_sk(family_id)}),
            UpdateExpression="SET revoked = :true, revoked_at = if_not_exists(revoked_at, :now)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=to_item({":true": True, ":now": now}),
        ))

    def list_for_record(self, collection_id: str, record_id: str) -> list[RefreshFamily]:
        families: list[RefreshFamily] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": record_pk(collection_id, record_id), ":prefix": "f#"}),
            "ConsistentRead": True,
        }
        try:
            while True:
                page = dynamodb().query(**request)
                families.extend(_family(item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return families
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "refresh.list_for_record") from exc


def _family(item: dict[str, Any]) -> RefreshFamily:
    values = from_item(item)
    values["previous_hashes"] = tuple(values.get("previous_hashes") or ())
    return RefreshFamily.model_validate({k: v for k, v in values.items() if k in RefreshFamily.model_fields})


@cache
def get_refresh_family_repository(table_name: str) -> RefreshFamilyRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoRefreshFamilyRepository(table_name)
