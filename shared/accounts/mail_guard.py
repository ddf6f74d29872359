"""At most one account email of a kind per record every few minutes, so request-* cannot mail-bomb anyone.

PocketBase keeps this in process memory; Lambdas share nothing, so here it is a conditional write in the
system table: pk `mr#<collectionId>#<recordId>`, sk `<kind>`, `ttl` = when the next mail is allowed.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared.auth.dynamo import conditional, dynamodb, storage_error, to_item

RESEND_INTERVAL_S = 120  # PocketBase's 2 minutes


class MailResendGuard(ABC):
    @abstractmethod
    def acquire(self, collection_id: str, record_id: str, kind: str, now: int, interval_s: int) -> bool:
        """Claim the right to send this mail now; False while a previous one is younger than the interval."""

    @abstractmethod
    def release(self, collection_id: str, record_id: str, kind: str) -> None:
        """Give the claim back (the mail could not be sent, or the flow completed)."""


class InMemoryMailResendGuard(MailResendGuard):
    def __init__(self) -> None:
        self._until: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def acquire(self, collection_id: str, record_id: str, kind: str, now: int, interval_s: int) -> bool:
        key = (collection_id, record_id, kind)
        with self._lock:
            if self._until.get(key, 0) > now:
                return False
            self._until[key] = now + interval_s
            return True

    def release(self, collection_id: str, record_id: str, kind: str) -> None:
        with self._lock:
            self._until.pop((collection_id, record_id, kind), None)


class DynamoMailResendGuard(MailResendGuard):
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    @staticmethod
    def _key(collection_id: str, record_id: str, kind: str) -> dict[str, object]:
        return to_item({"pk": f"mr#{collection_id}#{record_id}", "sk": kind})

    def acquire(self, collection_id: str, record_id: str, kind: str, now: int, interval_s: int) -> bool:
        return conditional("mail_guard.acquire", lambda: dynamodb().put_item(
            TableName=self._table,
            Item={**self._key(collection_id, record_id, kind), **to_item({"ttl": now + interval_s})},
            # TTL deletion lags, so an expired claim is overwritten here rather than trusted to be gone.
            ConditionExpression="attribute_not_exists(pk) OR #ttl <= :now",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues=to_item({":now": now}),
        ))

    def release(self, collection_id: str, record_id: str, kind: str) -> None:
        try:
            dynamodb().delete_item(TableName=self._table, Key=self._key(collection_id, record_id, kind))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "mail_guard.release") from exc


@cache
def get_mail_resend_guard(table_name: str) -> MailResendGuard:
    """The DynamoDB guard over the system table, one per table name."""
    return DynamoMailResendGuard(table_name)
