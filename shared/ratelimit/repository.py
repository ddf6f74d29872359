"""Data access for fixed-window request counters: the interface, an in-memory fake and DynamoDB."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws


class RateLimitStorageError(Exception):
    """The counter store failed; the limiter lets the request through rather than fail the API."""


class RateLimitCounterRepository(ABC):
    @abstractmethod
    def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
        """Atomically add `amount` to the counter of `key` in the window starting at `window_start`; return it."""


class InMemoryRateLimitCounterRepository(RateLimitCounterRepository):
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
        with self._lock:
            count = self._counts.get((key, window_start), 0) + amount
            self._counts[(key, window_start)] = count
            return count


class DynamoRateLimitCounterRepository(RateLimitCounterRepository):
    """One item per key and window: pk `rl#<key>`, sk `w#<windowStart>`, `ADD n :amount`, TTL past the window."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
        try:
            response = aws.client("dynamodb").update_item(
                TableName=self._table,
                Key={"pk": {"S": f"rl#{key}"}, "sk": {"S": f"w#{window_start}"}},
                UpdateExpression="ADD n :amount SET #ttl = :ttl",
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues={":amount": {"N": str(amount)}, ":ttl": {"N": str(expires_at)}},
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as exc:
            raise RateLimitStorageError(str(exc)) from exc
        return int(response["Attributes"]["n"]["N"])


@cache
def get_rate_limit_repository(table_name: str) -> RateLimitCounterRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoRateLimitCounterRepository(table_name)
