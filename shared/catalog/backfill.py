"""Backfill of new indexes, one bounded chunk at a time: index keys and unique claims onto existing records.

The jobs package drives it (shared/jobs/index_build.py); this module only knows records and layouts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from shared.catalog.layout import CollectionLayout, IndexLayout
from shared.collections.model import Collection
from shared.records import indexing, keys
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository

# A UNIQUE index added to a collection of at most this many records is checked within the request, at the
# cost of reading them (a bounded read), so duplicates answer 400 as in PocketBase; above it the backfill
# job finds them and marks the index failed.
SYNC_UNIQUE_CHECK_LIMIT = 1_000
# Up to this many records, the request also writes their claims (a small transaction each, about 20 ms on
# DynamoDB, so about 2 s), so that the index is enforced on existing values at once, as in PocketBase.
SYNC_CLAIMS_LIMIT = 100
# ...and stops after this long (the job writes the rest): storage slower than DynamoDB must not stall the request.
SYNC_CLAIMS_BUDGET_S = 5.0


class UniqueCheck(msgspec.Struct, frozen=True):
    """Outcome of the in-request check: `checked` is False when the collection is over the limit."""

    checked: bool
    duplicated: IndexLayout | None = None
    records: int = 0


def check_unique_within_limit(records: RecordRepository, collection: Collection, unique: list[IndexLayout],
                              limit: int | None = None) -> UniqueCheck:
    """Whether existing records already share a value of one of these unique indexes, reading at most limit + 1."""
    limit = SYNC_UNIQUE_CHECK_LIMIT if limit is None else limit
    if not unique:
        return UniqueCheck(checked=False)
    sample: list[StoredRecord] = []
    for record in records.scan(collection.id, ReadMeter(), limit=limit + 1):
        sample.append(record)
        if len(sample) > limit:
            return UniqueCheck(checked=False)
    seen: set[str] = set()
    for record in sample:
        for index in unique:
            if not indexing.index_applies(index, collection, record.data, record.id):
                continue
            values = [indexing.column_value(collection, record.data, record.id, c) for c in index.columns]
            claim = keys.unique_pk(collection.id, index.name, values)
            if claim in seen:
                return UniqueCheck(checked=True, duplicated=index, records=len(sample))
            seen.add(claim)
    return UniqueCheck(checked=True, records=len(sample))


class ChunkResult(msgspec.Struct):
    """What one chunk did: records seen, the last id (the next chunk's cursor), unique indexes that failed, and
    whether it reached the collection's end (not its record limit or its deadline)."""

    seen: int = 0
    rewritten: int = 0
    last_id: str | None = None
    failed: dict[str, str] = msgspec.field(default_factory=dict)
    finished: bool = True


def _claim_owner(collection: Collection, layout: CollectionLayout, claim: str) -> IndexLayout | None:
    return next((i for i in layout.indexes
                 if i.unique and claim.startswith(f"{keys.UNIQUE_PREFIX}{collection.id}#{i.name}#")), None)


def backfill_chunk(records: RecordRepository, collection: Collection, layout: CollectionLayout, *,
                   after: str | None, limit: int, deadline: float | None = None,
                   clock: Callable[[], float] = time.monotonic) -> ChunkResult:
    """Rewrite the index keys and unique claims of up to `limit` records after the id `after`, stopping early at
    `deadline` (on `clock`), so a step stays far from its function's timeout however slow storage is.

    Each record is updated conditionally on the version read, so a concurrent write (which computes the keys
    of every index of the layout itself) wins and is skipped here; claims are idempotent for their holder, so a
    chunk done twice changes nothing. A claim held by another record means existing records share a value: that
    index is failed (and from then on enforced by no write), and the record is written without its claim.
    """
    result = ChunkResult()
    layout = layout.model_copy(deep=True)
    for record in records.scan(collection.id, ReadMeter(), after=after, limit=limit):
        if result.seen >= limit or (deadline is not None and clock() >= deadline):
            result.finished = False
            break
        result.seen += 1
        result.last_id = record.id
        # Each retry drops the claims of at least one more failed index, so there are at most that many.
        for _ in range(len(layout.indexes) + 1):
            write = RecordWrite(kind="update", record=StoredRecord(collection.id, record.id, record.data),
                                expected_version=record.version,
                                index_attrs=indexing.index_attributes(collection, layout, record.data, record.id),
                                claims=indexing.unique_claims(collection, layout, record.data, record.id))
            try:
                records.write([write])
                result.rewritten += 1
                break
            except RecordConflictError as exc:
                owners = [o for c in exc.claims_taken if (o := _claim_owner(collection, layout, c))]
                if not owners:
                    break  # the record changed or vanished meanwhile: its own write carried the keys
                for index in owners:
                    index.error = (f"The unique index {index.name} cannot be created: existing records have "
                                   f"duplicate values (record {record.id} and another).")
                    result.failed[index.name] = index.error
    return result
