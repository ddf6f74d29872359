"""Stored records, the typed changes written to storage, the read meter, and the storage domain errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from shared.errors import BadRequestError

# A reference a record holds through a relation field: (field id, target collection id, target record id).
Link = tuple[str, str, str]

# DynamoDB's item size limit; a record must fit in one item with its keys and index attributes.
MAX_ITEM_BYTES = 400 * 1024


# A stdlib dataclass, not a Struct like the other value objects: ShardRecord (records/dynamo_reads.py) subclasses
# it to convert an item's values on first use, which needs its own __init__ and a `data` property.
@dataclass
class StoredRecord:
    """A record as stored: values keyed by field id, and a version bumped by every write."""

    collection_id: str
    id: str
    data: dict[str, Any]
    version: int = 1

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


class ReadMeter(msgspec.Struct):
    """Items read from storage for one request, counted by us: moto's ConsumedCapacity is a constant."""

    items_read: int = 0
    budget: int | None = None
    plans: list[str] = msgspec.field(default_factory=list)
    requests: int = 0
    # waves of requests sent at once (shards read in parallel are one); a lone request is one
    round_trips: int = 0
    # index keys read from a keys-only GSI: the records they name are read (and counted) next, so keys are a
    # request and read units, not items against the budget
    keys_read: int = 0

    def add(self, count: int, *, requests: int = 1, round_trips: int | None = None) -> None:
        self.items_read += count
        self.requests += requests
        self.round_trips += requests if round_trips is None else round_trips
        if self.budget is not None and self.items_read > self.budget:
            raise QueryBudgetError(self.budget)

    def add_keys(self, count: int) -> None:
        """One request that read `count` index keys (of a keys-only GSI)."""
        self.keys_read += count
        self.requests += 1
        self.round_trips += 1


class QueryBudgetError(BadRequestError):
    def __init__(self, budget: int) -> None:
        super().__init__(
            f"The query would read more than {budget} records. Add an index (the collection's `indexes`) that "
            "matches the filter's equality on its first column, narrow the filter, or use skipTotal=1.",
            {"filter": {"code": "validation_query_too_expensive",
                        "message": f"More than {budget} records would be read; add a matching index."}},
        )


class RecordWrite(msgspec.Struct):
    """One record change inside an all-or-nothing transaction."""

    kind: Literal["create", "update", "delete"]
    record: StoredRecord
    # update: only these field ids are written; increments are atomic adds
    changed: dict[str, Any] = msgspec.field(default_factory=dict)
    increments: dict[str, int | float] = msgspec.field(default_factory=dict)
    expected_version: int | None = None
    index_attrs: dict[str, str] = msgspec.field(default_factory=dict)
    remove_index_attrs: list[str] = msgspec.field(default_factory=list)
    claims: list[str] = msgspec.field(default_factory=list)
    releases: list[str] = msgspec.field(default_factory=list)
    # reverse-reference items (keys.reference_pk) this write adds and removes, in the same transaction
    links_added: list[Link] = msgspec.field(default_factory=list)
    links_removed: list[Link] = msgspec.field(default_factory=list)
    # who made the write (shared/records/actor.py), stamped on the item for the change stream's consumers
    actor: dict[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.record.collection_id, self.record.id


class RecordConflictError(Exception):
    """A write's condition failed; says what conflicted so callers can answer precisely or retry.

    `stale`: records whose expected version moved on (or that vanished); `ids_taken`: creates whose id
    exists; `claims_taken`: unique claim keys another record holds.
    """

    def __init__(self, *, stale: list[tuple[str, str]] | None = None, ids_taken: list[tuple[str, str]] | None = None,
                 claims_taken: list[str] | None = None) -> None:
        self.stale = stale or []
        self.ids_taken = ids_taken or []
        self.claims_taken = claims_taken or []
        super().__init__(f"write conflict: stale={self.stale} ids_taken={self.ids_taken} "
                         f"claims_taken={self.claims_taken}")


class StorageContentionError(Exception):
    """Storage kept refusing a write because of concurrent transactions on the same items, after retries."""


class RecordTooLargeError(BadRequestError):
    """A record would exceed the storage item size limit."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"The record is too large to store: about {size // 1024} KB, and a record may hold at most "
            f"{MAX_ITEM_BYTES // 1024} KB (DynamoDB's item size limit), field names and values included.")
