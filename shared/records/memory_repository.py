"""Records in memory, with the same interface and conditions as DynamoDB: the fake for unit tests.

Index keys are the same encoded strings the DynamoDB implementation stores, so a plan narrows here exactly as
it narrows there; counters are exact counts instead of stream-maintained items.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator

import msgspec

from shared.records import keys, shard_merge
from shared.records.model import Link, ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.planner import Plan
from shared.records.repository import (
    MAX_TRANSACTION_ITEMS,
    ClaimsOf,
    LinksOf,
    RecordRepository,
    TransactionTooLargeError,
    check_item_size,
    transaction_items,
)


class _Item(msgspec.Struct):
    record: StoredRecord
    attrs: dict[str, str] = msgspec.field(default_factory=dict)


class InMemoryRecordRepository(RecordRepository):
    """`shards`: each collection's write shard count, which the list reads model exactly as DynamoDB's (their
    requests, items and rounds); by default the catalog-less LEGACY_SHARDS for every collection."""

    def __init__(self, shards: keys.ShardCounts | None = None) -> None:
        self.shards = shards or keys.fixed_shards(keys.LEGACY_SHARDS)
        self._items: dict[tuple[str, str], _Item] = {}
        self._claims: dict[str, str] = {}
        # reverse references as DynamoDB holds them: partition key -> sort keys
        self._links: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.writes = 0
        # collections whose unordered marker exists (creation_order)
        self.unordered: set[str] = set()

    # reads -------------------------------------------------------------------------------------------------
    def get(self, collection_id: str, record_id: str, meter: ReadMeter) -> StoredRecord | None:
        meter.add(1)
        item = self._items.get((collection_id, record_id))
        return copy.deepcopy(item.record) if item else None

    def get_many(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        found = {i: copy.deepcopy(self._items[(collection_id, i)].record)
                 for i in dict.fromkeys(ids) if (collection_id, i) in self._items}
        meter.add(len(found))
        return found

    def _of(self, collection_id: str) -> list[_Item]:
        return sorted((item for (c, _), item in self._items.items() if c == collection_id), key=lambda i: i.record.id)

    def query(self, plan: Plan, meter: ReadMeter, *, want: int, drain: bool = False) -> Iterator[StoredRecord]:
        if plan.kind == "get":
            items = [self._items[k] for k in [(plan.collection_id, plan.ids[0])] if k in self._items]
        elif plan.kind == "index" and plan.index is not None:
            pk, sk = f"gsi{plan.index.slot}pk", f"gsi{plan.index.slot}sk"
            items = sorted((i for i in self._of(plan.collection_id) if i.attrs.get(pk) == plan.partition
                            and (plan.sort_range is None or plan.sort_range.contains(i.attrs.get(sk, "")))),
                           key=lambda i: i.attrs.get(sk, ""), reverse=not plan.forward)
        else:
            yield from shard_merge.merged(self._wave(plan, meter), self.shards(plan.collection_id), want,
                                          forward=plan.forward, after=plan.after, drain=drain)
            return
        for item in items:
            meter.add(1, requests=0)
            if all(c.holds(item.record.data) for c in plan.pushdown):
                yield copy.deepcopy(item.record)

    def _wave(self, plan: Plan, meter: ReadMeter) -> shard_merge.Wave:
        """The collection's shards as DynamoDB reads them (keys.shard_of), one wave a round trip."""
        shards: dict[int, list[StoredRecord]] = {}
        count = self.shards(plan.collection_id)
        for item in self._of(plan.collection_id):
            shards.setdefault(keys.shard_of(item.record.id, count), []).append(item.record)
        for records in shards.values():
            records.sort(key=lambda r: r.id, reverse=not plan.forward)

        def past(key: str, limit: str | None) -> bool:
            return limit is not None and (key <= limit if plan.forward else key >= limit)

        def beyond(key: str, bound: str | None) -> bool:
            return bound is not None and (key > bound if plan.forward else key < bound)

        def run(reads: list[shard_merge.ShardRead]) -> list[shard_merge.ShardAnswer]:
            reads = shard_merge.within_budget(reads, meter) if reads else reads
            answers = []
            for read in reads:
                in_range = [r for r in shards.get(read.shard, []) if not past(r.id, read.after)
                            and not beyond(r.id, read.bound)]
                evaluated = in_range[:read.limit]
                kept = [copy.deepcopy(r) for r in evaluated if all(c.holds(r.data) for c in plan.pushdown)]
                if len(evaluated) == read.limit:  # DynamoDB stops at Limit and says where
                    answers.append(shard_merge.ShardAnswer(kept, evaluated[-1].id, False, len(evaluated)))
                else:
                    reached = read.bound if read.bound is not None else (
                        evaluated[-1].id if evaluated else read.after)
                    answers.append(shard_merge.ShardAnswer(kept, reached, True, len(evaluated)))
            if reads:
                meter.add(sum(a.items_read for a in answers), requests=len(reads), round_trips=1)
            return answers

        return run

    def scan(self, collection_id: str, meter: ReadMeter, *, after: str | None = None,
             limit: int | None = None) -> Iterator[StoredRecord]:
        for item in self._of(collection_id):
            if after is not None and item.record.id <= after:
                continue
            meter.add(1, requests=0)
            yield copy.deepcopy(item.record)

    def referencing(self, target_collection_id: str, target_id: str, source_collection_id: str, field_id: str,
                    meter: ReadMeter) -> Iterator[str]:
        prefix = keys.reference_sk_prefix(source_collection_id, field_id)
        with self._lock:
            found = sorted(sk for sk in self._links.get(keys.reference_pk(target_collection_id, target_id), ())
                           if sk.startswith(prefix))
        meter.add(len(found))
        for sk in found:
            yield keys.reference_source(sk)[2]

    def reference_count(self) -> int:
        """How many reverse-reference items are stored (for tests: nothing is left behind)."""
        return sum(len(sks) for sks in self._links.values())

    def claims_taken(self, claims: list[str]) -> set[str]:
        return {c for c in claims if c in self._claims}

    def read_counter(self, partition: str, meter: ReadMeter) -> int | None:
        meter.add(1)
        by_collection = sum(1 for (c, _) in self._items if c == partition)
        by_index = sum(1 for i in self._items.values() if partition in i.attrs.values())
        return by_collection or by_index

    def is_unordered(self, collection_id: str, meter: ReadMeter) -> bool:
        meter.add(1)
        return collection_id in self.unordered

    # writes ------------------------------------------------------------------------------------------------
    def mark_unordered(self, collection_id: str) -> None:
        with self._lock:
            self.unordered.add(collection_id)

    def init_counter(self, partition: str) -> None:
        return None  # totals are counted exactly on read

    def write(self, writes: list[RecordWrite]) -> None:
        for w in writes:
            if w.kind != "delete":
                check_item_size(w.record)
        if transaction_items(writes) > MAX_TRANSACTION_ITEMS:
            raise TransactionTooLargeError(transaction_items(writes))
        with self._lock:
            self._check(writes)
            for w in writes:
                self._apply(w)
            self.writes += 1

    def _check(self, writes: list[RecordWrite]) -> None:
        stale: list[tuple[str, str]] = []
        taken_ids: list[tuple[str, str]] = []
        taken_claims: list[str] = []
        for w in writes:
            current = self._items.get(w.key)
            if w.kind == "create" and current is not None:
                taken_ids.append(w.key)
            elif w.kind != "create" and (current is None or (
                    w.expected_version is not None and current.record.version != w.expected_version)):
                stale.append(w.key)
            taken_claims.extend(c for c in w.claims if self._claims.get(c, w.record.id) != w.record.id)
        if stale or taken_ids or taken_claims:
            raise RecordConflictError(stale=stale, ids_taken=taken_ids, claims_taken=taken_claims)

    def _link(self, collection_id: str, record_id: str, link: Link, *, add: bool) -> None:
        field_id, target_collection_id, target_id = link
        pk = keys.reference_pk(target_collection_id, target_id)
        sk = keys.reference_sk(collection_id, field_id, record_id)
        if add:
            self._links.setdefault(pk, set()).add(sk)
        elif pk in self._links:
            self._links[pk].discard(sk)
            if not self._links[pk]:
                del self._links[pk]

    def _apply(self, w: RecordWrite) -> None:
        for link in w.links_removed:
            self._link(w.record.collection_id, w.record.id, link, add=False)
        for link in w.links_added:
            self._link(w.record.collection_id, w.record.id, link, add=True)
        for release in w.releases:
            if self._claims.get(release) == w.record.id:
                del self._claims[release]
        if w.kind == "delete":
            self._items.pop(w.key, None)
            return
        for claim in w.claims:
            self._claims[claim] = w.record.id
        if w.kind == "create":
            self._items[w.key] = _Item(copy.deepcopy(w.record), dict(w.index_attrs))
            return
        item = self._items[w.key]
        data = dict(item.record.data)
        data.update(copy.deepcopy(w.changed))
        for fid, delta in w.increments.items():
            data[fid] = (data.get(fid) or 0) + delta
        attrs = {k: v for k, v in item.attrs.items() if k not in w.remove_index_attrs}
        attrs.update(w.index_attrs)
        self._items[w.key] = _Item(StoredRecord(w.record.collection_id, w.record.id, data, item.record.version + 1),
                                   attrs)

    # bulk --------------------------------------------------------------------------------------------------
    def import_records(self, writes: list[RecordWrite], *, conditional: bool) -> None:
        for w in writes:
            if conditional:
                self.write([w])
            else:
                check_item_size(w.record)
                with self._lock:
                    self._apply(w)

    def add_links(self, links: list[tuple[str, str, Link]]) -> None:
        with self._lock:
            for collection_id, record_id, link in links:
                self._link(collection_id, record_id, link, add=True)

    def delete_collection_data(self, collection_id: str, claims_of: ClaimsOf, links_of: LinksOf | None = None, *,
                               limit: int | None = None, shards: int | None = None) -> int:
        with self._lock:
            doomed = sorted(k for k in self._items if k[0] == collection_id)[:limit]
            for key in doomed:
                for claim in claims_of(self._items[key].record):
                    self._claims.pop(claim, None)
                for link in links_of(self._items[key].record) if links_of else []:
                    self._link(collection_id, key[1], link, add=False)
                del self._items[key]
        return len(doomed)
