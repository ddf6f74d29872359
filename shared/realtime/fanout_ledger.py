"""Fan-out retry ledger: for a change whose delivery partly failed, the subscriptions still owed it.

When posts still fail after the delivery rounds, the fan-out writes down who is still owed the change (just
their connection ids and subscription strings, never the event) and reports the change as its batch's first
failure, so Lambda re-delivers the stream from there. On that redelivery the change is shaped again, with the
auth and rules of that moment, and sent only to what the ledger lists: those already served are not served
twice. Items live in the system table:

| item | pk | sk | holds |
| --- | --- | --- | --- |
| pending delivery | `rtretry#<sequenceNumber>` | `retry` | `owed`: connection id -> subscription strings, `attempts` |

They expire after a day (TTL), far past any redelivery.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cache

from pydantic import BaseModel

from shared.aws import client
from shared.dynamo_values import from_attribute, to_attribute

LEDGER_TTL_S = 24 * 60 * 60


class PendingDelivery(BaseModel):
    """Who a change is still owed to, and how many stream deliveries of it have failed so far."""

    sequence_number: str
    owed: dict[str, list[str]]
    attempts: int

    def owes(self, connection_id: str, topic: str) -> bool:
        return topic in self.owed.get(connection_id, ())


class DeliveryLedger(ABC):
    @abstractmethod
    def pending(self, sequence_number: str) -> PendingDelivery | None: ...

    @abstractmethod
    def save(self, pending: PendingDelivery) -> None: ...

    @abstractmethod
    def clear(self, sequence_number: str) -> None: ...


class InMemoryDeliveryLedger(DeliveryLedger):
    def __init__(self) -> None:
        self.items: dict[str, PendingDelivery] = {}

    def pending(self, sequence_number: str) -> PendingDelivery | None:
        return self.items.get(sequence_number)

    def save(self, pending: PendingDelivery) -> None:
        self.items[pending.sequence_number] = pending

    def clear(self, sequence_number: str) -> None:
        self.items.pop(sequence_number, None)


class DynamoDeliveryLedger(DeliveryLedger):
    """The system table's `rtretry#` items (layout in the module docstring)."""

    def __init__(self, table_name: str, clock: Callable[[], float] = time.time) -> None:
        self.table = table_name
        self.clock = clock

    @staticmethod
    def _key(sequence_number: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"rtretry#{sequence_number}"}, "sk": {"S": "retry"}}

    def pending(self, sequence_number: str) -> PendingDelivery | None:
        item = client("dynamodb").get_item(TableName=self.table, Key=self._key(sequence_number),
                                           ConsistentRead=True).get("Item")
        if not item:
            return None
        return PendingDelivery(sequence_number=sequence_number, owed=from_attribute(item["owed"]) or {},
                               attempts=int(item["attempts"]["N"]))

    def save(self, pending: PendingDelivery) -> None:
        client("dynamodb").put_item(TableName=self.table, Item={
            **self._key(pending.sequence_number), "owed": to_attribute(pending.owed),
            "attempts": {"N": str(pending.attempts)}, "ttl": {"N": str(int(self.clock()) + LEDGER_TTL_S)}})

    def clear(self, sequence_number: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key=self._key(sequence_number))


@cache
def get_delivery_ledger(table_name: str) -> DeliveryLedger:
    return DynamoDeliveryLedger(table_name)
