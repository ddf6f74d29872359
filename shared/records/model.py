"""Stored records, write operations and the read meter shared by the records data access and its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from shared.errors import BadRequestError


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


@dataclass
class ReadMeter:
    """Items read from DynamoDB for one request, counted by us: moto's ConsumedCapacity is a constant."""

    items_read: int = 0
    budget: int | None = None
    plans: list[str] = field(default_factory=list)

    def add(self, count: int) -> None:
        self.items_read += count
        if self.budget is not None and self.items_read > self.budget:
            raise QueryBudgetError(self.budget)


class QueryBudgetError(BadRequestError):
    def __init__(self, budget: int) -> None:
        super().__init__(
            f"The query would read more than {budget} records. Add an index (the collection's `indexes`) that "
            "matches the filter's equality on its first column, narrow the filter, or use skipTotal=1.",
            {"filter": {"code": "validation_query_too_expensive",
                        "message": f"More than {budget} records would be read; add a matching index."}},
        )


@dataclass
class RecordWrite:
    """One record change inside an all-or-nothing transaction."""

    kind: Literal["create", "update", "delete"]
    record: StoredRecord
    # update: only these field ids are written; increments are atomic ADDs
    changed: dict[str, Any] = field(default_factory=dict)
    increments: dict[str, int | float] = field(default_factory=dict)
    expected_version: int | None = None
    index_attrs: dict[str, str] = field(default_factory=dict)
    remove_index_attrs: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)


class RecordConflictError(BadRequestError):
    """A transaction's condition failed: a stale version, a taken id or a unique value in use."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("Failed to save the record(s): a conflicting change or a duplicate value.", {})
