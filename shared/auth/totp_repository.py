"""Data access for TOTP second factors: the interface, an in-memory fake and the DynamoDB implementation.

Everything of one record lives in one system-table partition, `tp#<collectionId>#<recordId>`, so a status read,
a disable and a record's deletion are one Query. Recovery codes and remembered devices carry the enrolment id
in their sort key: whatever a failed cleanup left behind can never unlock a later enrolment.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from shared.auth.dynamo import conditional, dynamodb, from_item, is_condition_failure, storage_error, to_item
from shared.dynamo_batch import UnprocessedItemsError, batch_write

ACTIVE_SK = "active"
PENDING_SK = "pending"


class TotpEnrolment(BaseModel):
    """A confirmed TOTP factor; `last_step` is the time step of the last accepted code (replay protection)."""

    collection_id: str
    record_id: str
    enrolment_id: str
    sealed_secret: str
    last_step: int
    enabled_at: int


class PendingTotp(BaseModel):
    """A secret handed out by an enrolment and not yet confirmed by a code; nothing trusts it until then."""

    collection_id: str
    record_id: str
    enrolment_id: str
    sealed_secret: str
    expires_at: int


class RememberedDevice(BaseModel):
    collection_id: str
    record_id: str
    enrolment_id: str
    token_hash: str
    created: int
    expires_at: int


def record_pk(collection_id: str, record_id: str) -> str:
    return f"tp#{collection_id}#{record_id}"


def recovery_sk(enrolment_id: str, code_hash: str) -> str:
    return f"rc#{enrolment_id}#{code_hash}"


def device_sk(enrolment_id: str, token_hash: str) -> str:
    return f"dev#{enrolment_id}#{token_hash}"


class TotpRepository(ABC):
    """TOTP state of auth records; every method that decides a code's fate is one conditional write."""

    @abstractmethod
    def active(self, collection_id: str, record_id: str) -> TotpEnrolment | None:
        """The confirmed enrolment (strongly consistent), or None."""

    @abstractmethod
    def pending(self, collection_id: str, record_id: str) -> PendingTotp | None:
        """The unconfirmed enrolment, expired ones included (the caller checks expiry), or None."""

    @abstractmethod
    def put_pending(self, pending: PendingTotp) -> None:
        """Store (or replace) the record's unconfirmed enrolment."""

    @abstractmethod
    def activate(self, pending: PendingTotp, last_step: int, enabled_at: int, recovery_hashes: list[str]) -> bool:
        """Turn this pending enrolment into the active one with its recovery codes, all at once; False when the
        record has an active enrolment already or the pending one was replaced meanwhile."""

    @abstractmethod
    def advance_step(self, enrolment: TotpEnrolment, step: int) -> bool:
        """Record `step` as the last accepted one only if it is later than the stored one (and the enrolment is
        still this one); False otherwise: of two uses of one code, exactly one passes."""

    @abstractmethod
    def use_recovery_code(self, enrolment: TotpEnrolment, code_hash: str) -> bool:
        """Delete this recovery code; False when it does not exist (never issued, or used already)."""

    @abstractmethod
    def recovery_codes_left(self, enrolment: TotpEnrolment) -> int: ...

    @abstractmethod
    def put_device(self, device: RememberedDevice) -> None: ...

    @abstractmethod
    def device(self, enrolment: TotpEnrolment, token_hash: str) -> RememberedDevice | None:
        """The remembered device of this enrolment with this token hash, expired ones included, or None."""

    @abstractmethod
    def devices(self, enrolment: TotpEnrolment) -> list[RememberedDevice]: ...

    @abstractmethod
    def forget_devices(self, enrolment: TotpEnrolment) -> None:
        """Delete every remembered device of this enrolment."""

    @abstractmethod
    def disable(self, enrolment: TotpEnrolment) -> bool:
        """Delete the active enrolment (only if it is still this one), then its recovery codes and devices."""

    @abstractmethod
    def delete_all(self, collection_id: str, record_id: str) -> None:
        """Forget everything of a record (the record was deleted)."""


class InMemoryTotpRepository(TotpRepository):
    """A thread-safe fake with the same semantics, for unit tests."""

    def __init__(self) -> None:
        self.enrolments: dict[tuple[str, str], TotpEnrolment] = {}
        self.pendings: dict[tuple[str, str], PendingTotp] = {}
        self.recovery: set[tuple[str, str, str, str]] = set()
        self.remembered: dict[tuple[str, str, str, str], RememberedDevice] = {}
        self._lock = threading.Lock()

    def active(self, collection_id: str, record_id: str) -> TotpEnrolment | None:
        with self._lock:
            return self.enrolments.get((collection_id, record_id))

    def pending(self, collection_id: str, record_id: str) -> PendingTotp | None:
        with self._lock:
            return self.pendings.get((collection_id, record_id))

    def put_pending(self, pending: PendingTotp) -> None:
        with self._lock:
            self.pendings[(pending.collection_id, pending.record_id)] = pending

    def activate(self, pending: PendingTotp, last_step: int, enabled_at: int, recovery_hashes: list[str]) -> bool:
        key = (pending.collection_id, pending.record_id)
        with self._lock:
            current = self.pendings.get(key)
            if key in self.enrolments or current is None or current.enrolment_id != pending.enrolment_id:
                return False
            del self.pendings[key]
            self.enrolments[key] = TotpEnrolment(collection_id=pending.collection_id, record_id=pending.record_id,
                                              enrolment_id=pending.enrolment_id,
                                              sealed_secret=pending.sealed_secret, last_step=last_step,
                                              enabled_at=enabled_at)
            self.recovery |= {(*key, pending.enrolment_id, h) for h in recovery_hashes}
            return True

    def advance_step(self, enrolment: TotpEnrolment, step: int) -> bool:
        key = (enrolment.collection_id, enrolment.record_id)
        with self._lock:
            current = self.enrolments.get(key)
            if current is None or current.enrolment_id != enrolment.enrolment_id or current.last_step >= step:
                return False
            self.enrolments[key] = current.model_copy(update={"last_step": step})
            return True

    def use_recovery_code(self, enrolment: TotpEnrolment, code_hash: str) -> bool:
        entry = (enrolment.collection_id, enrolment.record_id, enrolment.enrolment_id, code_hash)
        with self._lock:
            if entry not in self.recovery:
                return False
            self.recovery.discard(entry)
            return True

    def recovery_codes_left(self, enrolment: TotpEnrolment) -> int:
        prefix = (enrolment.collection_id, enrolment.record_id, enrolment.enrolment_id)
        with self._lock:
            return sum(1 for entry in self.recovery if entry[:3] == prefix)

    def put_device(self, device: RememberedDevice) -> None:
        with self._lock:
            self.remembered[(device.collection_id, device.record_id, device.enrolment_id, device.token_hash)] = device

    def device(self, enrolment: TotpEnrolment, token_hash: str) -> RememberedDevice | None:
        with self._lock:
            return self.remembered.get((enrolment.collection_id, enrolment.record_id, enrolment.enrolment_id,
                                      token_hash))

    def devices(self, enrolment: TotpEnrolment) -> list[RememberedDevice]:
        prefix = (enrolment.collection_id, enrolment.record_id, enrolment.enrolment_id)
        with self._lock:
            return [d for key, d in self.remembered.items() if key[:3] == prefix]

    def forget_devices(self, enrolment: TotpEnrolment) -> None:
        prefix = (enrolment.collection_id, enrolment.record_id, enrolment.enrolment_id)
        with self._lock:
            self.remembered = {k: d for k, d in self.remembered.items() if k[:3] != prefix}

    def disable(self, enrolment: TotpEnrolment) -> bool:
        key = (enrolment.collection_id, enrolment.record_id)
        with self._lock:
            current = self.enrolments.get(key)
            if current is None or current.enrolment_id != enrolment.enrolment_id:
                return False
            del self.enrolments[key]
        self.delete_all(*key, keep_pending=True)
        return True

    def delete_all(self, collection_id: str, record_id: str, *, keep_pending: bool = False) -> None:
        key = (collection_id, record_id)
        with self._lock:
            self.enrolments.pop(key, None)
            if not keep_pending:
                self.pendings.pop(key, None)
            self.recovery = {entry for entry in self.recovery if entry[:2] != key}
            self.remembered = {k: d for k, d in self.remembered.items() if k[:2] != key}


class DynamoTotpRepository(TotpRepository):
    """The items of docs/data-model-auth.md (`tp#`), in the system table."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def _get(self, pk: str, sk: str, operation: str) -> dict[str, Any] | None:
        try:
            item = dynamodb().get_item(TableName=self._table, Key=to_item({"pk": pk, "sk": sk}),
                                       ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, operation) from exc
        return from_item(item) if item is not None else None

    def active(self, collection_id: str, record_id: str) -> TotpEnrolment | None:
        values = self._get(record_pk(collection_id, record_id), ACTIVE_SK, "totp.active")
        return _model(TotpEnrolment, values) if values else None

    def pending(self, collection_id: str, record_id: str) -> PendingTotp | None:
        values = self._get(record_pk(collection_id, record_id), PENDING_SK, "totp.pending")
        return _model(PendingTotp, values) if values else None

    def put_pending(self, pending: PendingTotp) -> None:
        item = {"pk": record_pk(pending.collection_id, pending.record_id), "sk": PENDING_SK,
                "entity": "totpPending", **pending.model_dump(), "ttl": pending.expires_at}
        try:
            dynamodb().put_item(TableName=self._table, Item=to_item(item))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "totp.put_pending") from exc

    def activate(self, pending: PendingTotp, last_step: int, enabled_at: int, recovery_hashes: list[str]) -> bool:
        pk = record_pk(pending.collection_id, pending.record_id)
        active = {"pk": pk, "sk": ACTIVE_SK, "entity": "totpEnrolment", "collection_id": pending.collection_id,
                  "record_id": pending.record_id, "enrolment_id": pending.enrolment_id,
                  "sealed_secret": pending.sealed_secret, "last_step": last_step, "enabled_at": enabled_at}
        codes = [{"Put": {"TableName": self._table, "Item": to_item({
            "pk": pk, "sk": recovery_sk(pending.enrolment_id, h), "entity": "totpRecoveryCode"})}}
            for h in recovery_hashes]
        return conditional("totp.activate", lambda: dynamodb().transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table, "Item": to_item(active),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            # Two confirmations racing, or a confirmation racing a new enrolment: one pending secret wins.
            {"Delete": {"TableName": self._table, "Key": to_item({"pk": pk, "sk": PENDING_SK}),
                        "ConditionExpression": "enrolment_id = :id",
                        "ExpressionAttributeValues": to_item({":id": pending.enrolment_id})}},
            *codes,
        ]))

    def advance_step(self, enrolment: TotpEnrolment, step: int) -> bool:
        return conditional("totp.advance_step", lambda: dynamodb().update_item(
            TableName=self._table,
            Key=to_item({"pk": record_pk(enrolment.collection_id, enrolment.record_id), "sk": ACTIVE_SK}),
            UpdateExpression="SET last_step = :step",
            # The replay guard: a code's step is accepted once, and never one at or before the last accepted.
            ConditionExpression="enrolment_id = :id AND last_step < :step",
            ExpressionAttributeValues=to_item({":step": step, ":id": enrolment.enrolment_id}),
        ))

    def use_recovery_code(self, enrolment: TotpEnrolment, code_hash: str) -> bool:
        key = {"pk": record_pk(enrolment.collection_id, enrolment.record_id),
               "sk": recovery_sk(enrolment.enrolment_id, code_hash)}
        # Single use: of two parallel uses of one code, one deletes it and the other's condition fails.
        return conditional("totp.use_recovery_code", lambda: dynamodb().delete_item(
            TableName=self._table, Key=to_item(key), ConditionExpression="attribute_exists(pk)"))

    def _query(self, pk: str, prefix: str, operation: str) -> list[dict[str, Any]]:
        """Every item of the partition whose sort key starts with `prefix` ("" for all of them)."""
        request: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True}
        if prefix:
            request["KeyConditionExpression"] = "pk = :pk AND begins_with(sk, :prefix)"
            request["ExpressionAttributeValues"] = to_item({":pk": pk, ":prefix": prefix})
        else:
            request["KeyConditionExpression"] = "pk = :pk"
            request["ExpressionAttributeValues"] = to_item({":pk": pk})
        items: list[dict[str, Any]] = []
        try:
            while True:
                page = dynamodb().query(**request)
                items.extend(from_item(item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return items
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, operation) from exc

    def recovery_codes_left(self, enrolment: TotpEnrolment) -> int:
        pk = record_pk(enrolment.collection_id, enrolment.record_id)
        return len(self._query(pk, f"rc#{enrolment.enrolment_id}#", "totp.recovery_codes_left"))

    def put_device(self, device: RememberedDevice) -> None:
        item = {"pk": record_pk(device.collection_id, device.record_id),
                "sk": device_sk(device.enrolment_id, device.token_hash), "entity": "totpDevice",
                **device.model_dump(), "ttl": device.expires_at}
        try:
            dynamodb().put_item(TableName=self._table, Item=to_item(item))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "totp.put_device") from exc

    def device(self, enrolment: TotpEnrolment, token_hash: str) -> RememberedDevice | None:
        values = self._get(record_pk(enrolment.collection_id, enrolment.record_id),
                           device_sk(enrolment.enrolment_id, token_hash), "totp.device")
        return _model(RememberedDevice, values) if values else None

    def devices(self, enrolment: TotpEnrolment) -> list[RememberedDevice]:
        pk = record_pk(enrolment.collection_id, enrolment.record_id)
        return [_model(RememberedDevice, values)
                for values in self._query(pk, f"dev#{enrolment.enrolment_id}#", "totp.devices")]

    def disable(self, enrolment: TotpEnrolment) -> bool:
        pk = record_pk(enrolment.collection_id, enrolment.record_id)
        try:
            # The enrolment goes first and alone: once it is gone nothing below it is reachable.
            dynamodb().delete_item(TableName=self._table, Key=to_item({"pk": pk, "sk": ACTIVE_SK}),
                                   ConditionExpression="enrolment_id = :id",
                                   ExpressionAttributeValues=to_item({":id": enrolment.enrolment_id}))
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise storage_error(exc, "totp.disable") from exc
        except BotoCoreError as exc:
            raise storage_error(exc, "totp.disable") from exc
        self._delete_items(pk, ("rc#", "dev#"), "totp.disable")
        return True

    def forget_devices(self, enrolment: TotpEnrolment) -> None:
        pk = record_pk(enrolment.collection_id, enrolment.record_id)
        self._delete_items(pk, (f"dev#{enrolment.enrolment_id}#",), "totp.forget_devices")

    def delete_all(self, collection_id: str, record_id: str) -> None:
        self._delete_items(record_pk(collection_id, record_id), ("",), "totp.delete_all")

    def _delete_items(self, pk: str, prefixes: tuple[str, ...], operation: str) -> None:
        keys = [{"pk": pk, "sk": values["sk"]} for prefix in prefixes for values in self._query(pk, prefix, operation)]
        try:
            batch_write(self._table, [{"DeleteRequest": {"Key": to_item(key)}} for key in keys])
        except (ClientError, BotoCoreError, UnprocessedItemsError) as exc:
            raise storage_error(exc, operation) from exc  # type: ignore[arg-type]


def _model(cls: type[Any], values: dict[str, Any]) -> Any:
    return cls.model_validate({k: v for k, v in values.items() if k in cls.model_fields})


@cache
def get_totp_repository(table_name: str) -> TotpRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoTotpRepository(table_name)
