"""Data access for sign-in failure counters: the interface, an in-memory fake and the DynamoDB implementation."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from shared.auth.dynamo import dynamodb, from_item, storage_error, to_item

STATE_SK = "state"
HOUR_PREFIX = "h#"
HOUR_S = 3600


class FailureCounters(BaseModel):
    """What is known about one throttling key (an account or an IP)."""

    hourly: dict[int, int] = {}  # hour start (epoch s) -> failures in that hour
    consecutive: int = 0
    last_failure: int | None = None


class SignInThrottleRepository(ABC):
    """Atomic failure counters; every write is an increment, so many Lambdas can count at once."""

    @abstractmethod
    def add_failure(self, key: str, now: int, *, consecutive: bool, state_ttl: int) -> None:
        """Count one failure in the current hour bucket and, if `consecutive`, in the delay state."""

    @abstractmethod
    def read(self, key: str) -> FailureCounters:
        """All counters of one key (a strongly consistent single-partition Query)."""

    @abstractmethod
    def reset_consecutive(self, key: str) -> None:
        """Forget the delay state of a key (after a successful sign-in)."""

    @abstractmethod
    def clear(self, key: str) -> None:
        """Forget everything about a key (a superuser unblocking an account)."""


class InMemorySignInThrottleRepository(SignInThrottleRepository):
    def __init__(self) -> None:
        self._data: dict[str, FailureCounters] = {}
        self._lock = threading.Lock()

    def add_failure(self, key: str, now: int, *, consecutive: bool, state_ttl: int) -> None:
        with self._lock:
            counters = self._data.setdefault(key, FailureCounters())
            hour = now - now % HOUR_S
            counters.hourly[hour] = counters.hourly.get(hour, 0) + 1
            if consecutive:
                counters.consecutive += 1
                counters.last_failure = now

    def read(self, key: str) -> FailureCounters:
        with self._lock:
            return self._data.get(key, FailureCounters()).model_copy(deep=True)

    def reset_consecutive(self, key: str) -> None:
        with self._lock:
            if key in self._data:
                self._data[key].consecutive = 0
                self._data[key].last_failure = None

    def clear(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class DynamoSignInThrottleRepository(SignInThrottleRepository):
    """One partition per key: an item per hour bucket (`h#<hourStart>`) and one `state` item, all with TTL."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def add_failure(self, key: str, now: int, *, consecutive: bool, state_ttl: int) -> None:
        hour = now - now % HOUR_S
        try:
            dynamodb().update_item(
                TableName=self._table,
                Key=to_item({"pk": key, "sk": f"{HOUR_PREFIX}{hour}"}),
                UpdateExpression="ADD failures :one SET #ttl = :ttl",
                ExpressionAttributeNames={"#ttl": "ttl"},
                # A bucket must outlive the next hour, whose sliding window still weighs it.
                ExpressionAttributeValues=to_item({":one": 1, ":ttl": hour + 2 * HOUR_S}),
            )
            if consecutive:
                dynamodb().update_item(
                    TableName=self._table,
                    Key=to_item({"pk": key, "sk": STATE_SK}),
                    UpdateExpression="ADD consecutive :one SET last_failure = :now, #ttl = :ttl",
                    ExpressionAttributeNames={"#ttl": "ttl"},
                    ExpressionAttributeValues=to_item({":one": 1, ":now": now, ":ttl": now + state_ttl}),
                )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "throttle.add_failure") from exc

    def _items(self, key: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_item({":pk": key}),
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            page = dynamodb().query(**request)
            items.extend(from_item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def read(self, key: str) -> FailureCounters:
        try:
            items = self._items(key)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "throttle.read") from exc
        counters = FailureCounters()
        for item in items:
            sk = str(item["sk"])
            if sk == STATE_SK:
                counters.consecutive = int(item.get("consecutive", 0))
                counters.last_failure = item.get("last_failure")
            elif sk.startswith(HOUR_PREFIX):
                counters.hourly[int(sk[len(HOUR_PREFIX):])] = int(item.get("failures", 0))
        return counters

    def reset_consecutive(self, key: str) -> None:
        try:
            dynamodb().delete_item(TableName=self._table, Key=to_item({"pk": key, "sk": STATE_SK}))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "throttle.reset_consecutive") from exc

    def clear(self, key: str) -> None:
        try:
            for item in self._items(key):
                dynamodb().delete_item(TableName=self._table, Key=to_item({"pk": key, "sk": item["sk"]}))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "throttle.clear") from exc


@cache
def get_sign_in_throttle_repository(table_name: str) -> SignInThrottleRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoSignInThrottleRepository(table_name)
