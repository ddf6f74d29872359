"""Data access for sign-in failure counters: the interface, an in-memory fake and the DynamoDB implementation."""

import threading
from abc import ABC, abstractmethod
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from shared.auth.dynamo import dynamodb, error_code, from_item, is_condition_failure, storage_error, to_item

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
    def reserve(self, account: str, ip: str | None, now: int, *, expected_consecutive: int, ip_cap: int,
                state_ttl: int) -> bool:
        """Count one sign-in attempt as a failure in advance, all or nothing, in one conditional write.

        The account's delay state goes to `expected_consecutive + 1` only if it still holds
        `expected_consecutive` (what the caller decided on), and the IP's hour bucket grows only while under
        `ip_cap`. False, with nothing written, when a concurrent attempt counted first: decide again.
        """

    @abstractmethod
    def mark_failure_time(self, account: str, now: int) -> None:
        """Move the delay state's last failure to `now`, when the failure became known, if the state exists."""

    @abstractmethod
    def refund(self, account: str, ip: str | None, now: int) -> None:
        """Take back the hourly counts a reserved attempt added (it succeeded: it was no failure)."""

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

    def reserve(self, account: str, ip: str | None, now: int, *, expected_consecutive: int, ip_cap: int,
                state_ttl: int) -> bool:
        hour = now - now % HOUR_S
        with self._lock:
            state = self._data.get(account, FailureCounters())
            if state.consecutive != expected_consecutive:
                return False
            if ip and self._data.get(ip, FailureCounters()).hourly.get(hour, 0) >= ip_cap:
                return False
            counters = self._data.setdefault(account, state)
            counters.consecutive = expected_consecutive + 1
            counters.last_failure = now
            counters.hourly[hour] = counters.hourly.get(hour, 0) + 1
            if ip:
                by_ip = self._data.setdefault(ip, FailureCounters())
                by_ip.hourly[hour] = by_ip.hourly.get(hour, 0) + 1
            return True

    def mark_failure_time(self, account: str, now: int) -> None:
        with self._lock:
            if account in self._data and self._data[account].last_failure is not None:
                self._data[account].last_failure = max(now, self._data[account].last_failure or now)

    def refund(self, account: str, ip: str | None, now: int) -> None:
        hour = now - now % HOUR_S
        with self._lock:
            for key in (account, ip):
                if key and key in self._data and self._data[key].hourly.get(hour, 0) > 0:
                    self._data[key].hourly[hour] -= 1

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

    def _hour_add(self, key: str, hour: int, delta: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": to_item({"pk": key, "sk": f"{HOUR_PREFIX}{hour}"}),
            "UpdateExpression": "ADD failures :delta SET #ttl = :ttl",
            "ExpressionAttributeNames": {"#ttl": "ttl"},
            # A bucket must outlive the next hour, whose sliding window still weighs it.
            "ExpressionAttributeValues": to_item({":delta": delta, ":ttl": hour + 2 * HOUR_S}),
        }

    def reserve(self, account: str, ip: str | None, now: int, *, expected_consecutive: int, ip_cap: int,
                state_ttl: int) -> bool:
        hour = now - now % HOUR_S
        state: dict[str, Any] = {
            "TableName": self._table,
            "Key": to_item({"pk": account, "sk": STATE_SK}),
            "UpdateExpression": "SET consecutive = :next, last_failure = :now, #ttl = :ttl",
            # The check of the decision and the count are one write: a concurrent attempt that counted first
            # changed `consecutive`, so this one fails and decides again on the new count.
            "ConditionExpression": ("attribute_not_exists(consecutive) OR consecutive = :expected"
                                    if expected_consecutive == 0 else "consecutive = :expected"),
            "ExpressionAttributeNames": {"#ttl": "ttl"},
            "ExpressionAttributeValues": to_item({":next": expected_consecutive + 1, ":now": now,
                                                  ":ttl": now + state_ttl, ":expected": expected_consecutive}),
        }
        items: list[dict[str, Any]] = [{"Update": state}, {"Update": self._hour_add(account, hour, 1)}]
        if ip:
            by_ip = self._hour_add(ip, hour, 1)
            by_ip["ConditionExpression"] = "attribute_not_exists(failures) OR failures < :cap"
            by_ip["ExpressionAttributeValues"].update(to_item({":cap": ip_cap}))
            items.append({"Update": by_ip})
        try:
            dynamodb().transact_write_items(TransactItems=items)
        except ClientError as exc:
            # A lost race (condition) or a concurrent transaction on the same items: the caller decides again.
            if is_condition_failure(exc) or error_code(exc) in ("TransactionCanceledException",
                                                                 "TransactionConflictException"):
                return False
            raise storage_error(exc, "throttle.reserve") from exc
        except BotoCoreError as exc:
            raise storage_error(exc, "throttle.reserve") from exc
        return True

    def mark_failure_time(self, account: str, now: int) -> None:
        try:
            dynamodb().update_item(
                TableName=self._table, Key=to_item({"pk": account, "sk": STATE_SK}),
                UpdateExpression="SET last_failure = :now",
                # Never recreate a state a success (or a superuser) removed meanwhile, never move it back.
                ConditionExpression="attribute_exists(consecutive) AND last_failure < :now",
                ExpressionAttributeValues=to_item({":now": now}),
            )
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise storage_error(exc, "throttle.mark_failure_time") from exc
        except BotoCoreError as exc:
            raise storage_error(exc, "throttle.mark_failure_time") from exc

    def refund(self, account: str, ip: str | None, now: int) -> None:
        hour = now - now % HOUR_S
        try:
            for key in (account, ip):
                if key:
                    dynamodb().update_item(**self._hour_add(key, hour, -1))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "throttle.refund") from exc

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
