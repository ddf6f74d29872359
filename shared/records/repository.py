"""The records data-access interface, in domain terms; DynamoDB and in-memory implementations live beside it.

Every read is metered (ReadMeter) so that a request can never do unbounded work. Every write is
all-or-nothing and conditional: a failed condition raises RecordConflictError saying what conflicted.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from functools import cache

from shared.errors import BadRequestError
from shared.records.model import MAX_ITEM_BYTES, Link, ReadMeter, RecordTooLargeError, RecordWrite, StoredRecord
from shared.records.planner import Plan

# At most this many items change in one all-or-nothing write (DynamoDB's TransactWriteItems limit).
MAX_TRANSACTION_ITEMS = 100
# Room kept in an item for keys, version and index attributes besides the record's values.
_ITEM_OVERHEAD_BYTES = 4 * 1024

ClaimsOf = Callable[[StoredRecord], list[str]]
LinksOf = Callable[[StoredRecord], list[Link]]


class TransactionTooLargeError(BadRequestError):
    """A write that would change more items at once than one storage transaction holds."""

    def __init__(self, items: int) -> None:
        super().__init__(
            f"The change would write {items} items at once and a write may touch at most {MAX_TRANSACTION_ITEMS} "
            "(the records, their unique values and, for a delete, every record it cascades to or unlinks). "
            "Delete the referencing records first (in smaller batches), or split the batch.")


def transaction_items(writes: list[RecordWrite]) -> int:
    """How many items one all-or-nothing write holds: records, claims and releases (reverse references are
    written around it, see dynamo_links)."""
    return sum(1 + len(w.claims) + len(w.releases) for w in writes)


class BulkWriteError(Exception):
    """Bulk writes were still unprocessed or throttled after every retry; the earlier chunks stay written."""


def check_item_size(record: StoredRecord) -> None:
    """Refuse a record that cannot fit in one storage item (a 400 naming the limit, before anything is sent)."""
    size = len(json.dumps(record.data, ensure_ascii=False, separators=(",", ":")).encode()) + _ITEM_OVERHEAD_BYTES
    if size > MAX_ITEM_BYTES:
        raise RecordTooLargeError(size)


class RecordRepository(ABC):
    """Records of every collection, their unique claims and their counters."""

    # reads -------------------------------------------------------------------------------------------------
    @abstractmethod
    def get(self, collection_id: str, record_id: str, meter: ReadMeter) -> StoredRecord | None:
        """One record, read consistently."""

    @abstractmethod
    def get_many(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        """The records of these ids that exist, by id."""

    @abstractmethod
    def query(self, plan: Plan, meter: ReadMeter, *, want: int, drain: bool = False) -> Iterator[StoredRecord]:
        """The plan's candidates in its order, pushed-down comparisons applied (not the residual filter).

        `want` is how many candidates the caller expects to need; reads are sized to it and grow if more are
        pulled. `drain`: the caller will pull every candidate, so reads are as large as storage allows."""

    @abstractmethod
    def scan(self, collection_id: str, meter: ReadMeter, *, after: str | None = None,
             limit: int | None = None) -> Iterator[StoredRecord]:
        """Every record of a collection in id order (backfills, truncation, joins); `after` an id, `limit` how
        many the caller will take at most, so that reads are sized to a chunk."""

    @abstractmethod
    def referencing(self, target_collection_id: str, target_id: str, source_collection_id: str, field_id: str,
                    meter: ReadMeter) -> Iterator[str]:
        """Ids of the records of `source_collection_id` whose field `field_id` holds `target_id`, by id, read
        from the target's reverse references (in proportion to them, never a scan); may include stale ids."""

    @abstractmethod
    def claims_taken(self, claims: list[str]) -> set[str]:
        """Those of these unique claim keys that a stored record holds."""

    @abstractmethod
    def read_counter(self, partition: str, meter: ReadMeter) -> int | None:
        """The maintained total of a collection (partition = its id) or of an index partition; None if absent."""

    @abstractmethod
    def is_unordered(self, collection_id: str, meter: ReadMeter) -> bool:
        """Whether the collection's unordered marker exists (creation_order): its id order may not be `created`
        order. Read consistently: a record written after its marker is never seen without it."""

    # writes ------------------------------------------------------------------------------------------------
    @abstractmethod
    def mark_unordered(self, collection_id: str) -> None:
        """Put the collection's unordered marker, idempotently; called before writing the record that needs it."""

    @abstractmethod
    def write(self, writes: list[RecordWrite]) -> None:
        """Apply all writes atomically, or none; RecordConflictError when a condition fails."""

    @abstractmethod
    def import_records(self, writes: list[RecordWrite], *, conditional: bool) -> None:
        """Create many records in chunks (not atomic as a whole). `conditional`: each record with its claims
        in one conditional unit, raising RecordConflictError for the first chunk that hits a taken id or claim;
        otherwise plain fast puts."""

    @abstractmethod
    def add_links(self, links: list[tuple[str, str, Link]]) -> None:
        """Put reverse references of (source collection id, source record id, link), idempotently (backfill)."""

    @abstractmethod
    def delete_collection_data(self, collection_id: str, claims_of: ClaimsOf, links_of: LinksOf | None = None, *,
                               limit: int | None = None, shards: int | None = None) -> int:
        """Delete every record of a collection (at most `limit`), the claims and reverse references each holds;
        returns how many records. `shards`: the collection's count, for a collection the catalog may no longer
        hold (a truncation carries its layout); by default the catalog's."""

    @abstractmethod
    def init_counter(self, partition: str) -> None:
        """Start a counter at 0 unless it exists, so a new collection's total is a read, never a count."""


@cache
def get_record_repository(table_name: str, system_table: str) -> RecordRepository:
    """The DynamoDB repository over the records table, one per process; each collection's shard count from the
    catalog in the system table."""
    from shared.catalog.repository import get_collection_repository
    from shared.records.dynamo_repository import DynamoRecordRepository

    # looked up at each call: the catalog repository is cached per process too, and tests reset that cache
    return DynamoRecordRepository(table_name,
                                  shards=lambda collection_id: get_collection_repository(system_table)
                                  .shard_count(collection_id))
