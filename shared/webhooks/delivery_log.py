"""The delivery log: one entry per attempt, and the message of each delivery (kept for redeliveries and replays).

DynamoDB, in the system table, expired by TTL after `webhooks.logMaxDays`:
- a delivery: `pk=whd#<delivery id>, sk=delivery`, its first message (the event, or its reference);
- an attempt: `pk=whd#<delivery id>, sk=a#<time>#<run>#<attempt>`, on gsi1 `gsi1pk=whlog#<UTC day>,
  gsi1sk=<time>#<delivery id>#<run>#<attempt>`, so a time range is read day by day, newest first.
Writes are puts of deterministic keys: an SQS redelivery rewrites the same entry rather than adding one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.aws import client
from shared.dynamo_values import from_item, to_item
from shared.webhooks.schedule import format_time

# A time range longer than this is refused: every day is one Query of the index.
MAX_RANGE_DAYS = 31


class AttemptEntry(BaseModel):
    """One attempt, as `GET /api/webhooks/deliveries` shows it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    delivery_id: str
    webhook_id: str
    event_id: str
    event_type: str
    run: str = ""
    attempt: int
    # delivered | retrying | failed (given up, dead-lettered) | disabled (410) | skipped (subscription gone)
    status: str
    response_code: int | None = None
    response_excerpt: str = ""
    error: str = ""
    duration_ms: int = 0
    at: float
    next_retry_at: float | None = None

    def to_api(self) -> dict[str, Any]:
        body = self.model_dump(by_alias=True)
        body["id"] = f"{self.delivery_id}.{self.run or '0'}.{self.attempt}"
        body["at"] = format_time(self.at)
        body["nextRetryAt"] = format_time(self.next_retry_at) if self.next_retry_at else ""
        return body


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def days_between(start: float, end: float) -> list[str]:
    """The UTC days from `end` back to `start`, newest first."""
    day = datetime.fromtimestamp(end, UTC).date()
    first = datetime.fromtimestamp(start, UTC).date()
    out: list[str] = []
    while day >= first:
        out.append(day.isoformat())
        day -= timedelta(days=1)
    return out


class DeliveryLog(ABC):
    @abstractmethod
    def record(self, entry: AttemptEntry, ttl_days: int) -> None: ...

    @abstractmethod
    def keep_message(self, delivery_id: str, message_json: str, at: float, ttl_days: int) -> None: ...

    @abstractmethod
    def message(self, delivery_id: str) -> str | None: ...

    @abstractmethod
    def attempts(self, delivery_id: str) -> list[AttemptEntry]: ...

    @abstractmethod
    def between(self, start: float, end: float) -> Iterator[AttemptEntry]:
        """Attempts made in [start, end], newest first."""


class InMemoryDeliveryLog(DeliveryLog):
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, int], AttemptEntry] = {}
        self.messages: dict[str, str] = {}

    def record(self, entry: AttemptEntry, ttl_days: int) -> None:
        self.entries[(entry.delivery_id, entry.run, entry.attempt)] = entry

    def keep_message(self, delivery_id: str, message_json: str, at: float, ttl_days: int) -> None:
        self.messages.setdefault(delivery_id, message_json)

    def message(self, delivery_id: str) -> str | None:
        return self.messages.get(delivery_id)

    def attempts(self, delivery_id: str) -> list[AttemptEntry]:
        return sorted((e for e in self.entries.values() if e.delivery_id == delivery_id), key=lambda e: e.at)

    def between(self, start: float, end: float) -> Iterator[AttemptEntry]:
        found = [e for e in self.entries.values() if start <= e.at <= end]
        yield from sorted(found, key=lambda e: e.at, reverse=True)


class DynamoDeliveryLog(DeliveryLog):
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def record(self, entry: AttemptEntry, ttl_days: int) -> None:
        suffix = f"{entry.delivery_id}#{entry.run}#{entry.attempt:03d}"
        item = {"pk": f"whd#{entry.delivery_id}", "sk": f"a#{_stamp(entry.at)}#{entry.run}#{entry.attempt:03d}",
                "gsi1pk": f"whlog#{_day(entry.at)}", "gsi1sk": f"{_stamp(entry.at)}#{suffix}",
                "entry": entry.model_dump_json(by_alias=True), "ttl": int(entry.at + ttl_days * 86400)}
        client("dynamodb").put_item(TableName=self.table, Item=to_item(item))

    def keep_message(self, delivery_id: str, message_json: str, at: float, ttl_days: int) -> None:
        item = {"pk": f"whd#{delivery_id}", "sk": "delivery", "message": message_json,
                "ttl": int(at + ttl_days * 86400)}
        client("dynamodb").put_item(TableName=self.table, Item=to_item(item))

    def message(self, delivery_id: str) -> str | None:
        item = client("dynamodb").get_item(TableName=self.table, ConsistentRead=True, Key=to_item(
            {"pk": f"whd#{delivery_id}", "sk": "delivery"})).get("Item")
        return str(from_item(item)["message"]) if item else None

    def attempts(self, delivery_id: str) -> list[AttemptEntry]:
        out = client("dynamodb").query(TableName=self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
                                       ExpressionAttributeValues=to_item({":pk": f"whd#{delivery_id}", ":a": "a#"}))
        return [AttemptEntry.model_validate_json(str(from_item(i)["entry"])) for i in out.get("Items", [])]

    def between(self, start: float, end: float) -> Iterator[AttemptEntry]:
        paginator = client("dynamodb").get_paginator("query")
        for day in days_between(start, end):
            pages = paginator.paginate(
                TableName=self.table, IndexName="gsi1", ScanIndexForward=False,
                KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues=to_item({":pk": f"whlog#{day}", ":lo": _stamp(start),
                                                   ":hi": _stamp(end) + "~"}))
            for page in pages:
                for item in page.get("Items", []):
                    yield AttemptEntry.model_validate_json(str(from_item(item)["entry"]))


@cache
def get_delivery_log(table_name: str) -> DeliveryLog:
    return DynamoDeliveryLog(table_name)
