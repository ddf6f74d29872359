"""Events and audit benchmark: PutEvents calls per 100 record changes before and after byte-sizing, and the write
units the audit log spends per record change.

- PutEvents: 100 changes of each mix (small records, 30 KB records, small ones with a few 200 KB ones) published
  by the old publisher (ten RecordChange details a call; a call over 256 KB is refused whole: on Lambda the batch
  then fails, is bisected and retried, republishing what went before, and a single change over 256 KB, such as
  an update of a 200 KB record with both images, never gets through)
  and by the envelope publisher (byte-sized calls, bodies over 200 KB by reference); calls counted by a fake
  PutEvents that refuses what EventBridge refuses.
- Audit WCU: each entry's DynamoDB item size as DynamoDB counts it (attribute names and values, UTF-8), one
  write unit per started KB, on the table, plus gsi1's keys-only copy; a delete also pays its stamp write on
  the records table (about the record item's size).

`python -m tests.bench.audit`; LB_BENCH_AUDIT_CHANGES sets the number of changes per mix (100).
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Mapping
from typing import Any

from tests.bench import goals

CHANGES = int(os.environ.get("LB_BENCH_AUDIT_CHANGES", "100"))
OLD_ENTRIES_PER_CALL = 10
STAMP = {"kind": "auth", "collectionId": "_pb_users_auth_", "collectionName": "users", "recordId": "u2m0q1h7k3d9x4c",
         "ip": "203.0.113.9", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
         "requestId": "Bz1xYhJkoAMEbQw=", "at": "1796140000123"}


class World:
    """A `posts` collection (title, status, body, views, author) on in-memory repositories."""

    def __init__(self) -> None:
        from shared.catalog.collections_admin import CollectionsAdmin
        from shared.catalog.repository import InMemoryCollectionRepository
        from shared.records.memory_repository import InMemoryRecordRepository

        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        self.posts = CollectionsAdmin(self.collections, self.records).create({
            "name": "posts", "type": "base", "fields": [
                {"name": "title", "type": "text"}, {"name": "status", "type": "select", "values": ["draft", "live"]},
                {"name": "body", "type": "text", "max": 300_000}, {"name": "views", "type": "number"},
                {"name": "author", "type": "text"},
                {"name": "created", "type": "autodate", "onCreate": True},
                {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]})

    def stored(self, body_bytes: int) -> dict[str, Any]:
        from shared.records.context import RequestContext
        from shared.records.scope import RecordScope

        writer = RecordScope(self.collections, self.records, RequestContext(system=True)).writer
        record = writer.create("posts", {"title": "A post about the audit log", "status": "draft",
                                         "body": "b" * body_bytes, "views": 12, "author": "ann"}).record
        return dict(record.data)

    def change(self, action: str, data: dict[str, Any], seq: int, *, new: dict[str, Any] | None = None) -> Any:
        from shared.changes.model import RecordChange
        from shared.records.actor import ACTOR_ATTR, DELETING_ATTR, encode_actor

        def image(values: dict[str, Any], deleting: bool = False) -> dict[str, Any]:
            out = {"pk": f"r#{self.posts.id}#3", "sk": values.get("id", "x"), "c": self.posts.id, "v": 1,
                   "d": values, ACTOR_ATTR: encode_actor(STAMP)}
            if deleting:
                out[DELETING_ATTR] = 1
            return out

        old = None if action == "create" else image(data, deleting=action == "delete")
        after = None if action == "delete" else image(new or data)
        return RecordChange(action=action, collection_id=self.posts.id, record_id=str(data.get("id", "x")),  # type: ignore[arg-type]
                            sequence_number=str(10**20 + seq), write_shard=3, old_image=old, new_image=after,
                            event_id=f"ev-{seq}", changed_at=1_796_140_000.0)


class FakePutEvents:
    """Counts calls and refuses a request over 256 KB whole, as EventBridge does."""

    def __init__(self) -> None:
        self.calls = 0
        self.accepted = 0
        self.lost = 0

    def __call__(self, entries: list[Mapping[str, Any]]) -> Mapping[str, Any]:
        from shared.events.entry_size import PUT_EVENTS_MAX_BYTES, entry_size

        self.calls += 1
        if len(entries) > OLD_ENTRIES_PER_CALL or sum(entry_size(e) for e in entries) > PUT_EVENTS_MAX_BYTES:
            self.lost += len(entries)
            return {"FailedEntryCount": len(entries), "Entries": [{"ErrorCode": "ValidationException"}] * len(entries)}
        self.accepted += len(entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"}] * len(entries)}


def old_publish(changes: list[Any], put: FakePutEvents) -> None:
    """The publisher before this change: ten RecordChange details a call, whatever their size."""
    for start in range(0, len(changes), OLD_ENTRIES_PER_CALL):
        put([{"Source": "lambdabase.records", "DetailType": f"record.{c.action}", "Detail": c.model_dump_json()}
             for c in changes[start:start + OLD_ENTRIES_PER_CALL]])


def new_publish(world: World, changes: list[Any], put: FakePutEvents) -> None:
    from shared.changes.publisher import publish_changes
    from shared.events.bus import EventBridgePublisher
    from shared.events.envelope import InMemoryPayloadStore
    from shared.records.validation import record_to_json

    def present(collection: Any, record: Any) -> dict[str, Any]:
        return record_to_json(collection, record.data, can_see_hidden=True, show_email=True)

    publisher = EventBridgePublisher("bench", InMemoryPayloadStore(), put_events=put)
    publish_changes(changes, lambda cid: world.posts if cid == world.posts.id else None, present, publisher)


def put_events_per_100() -> dict[str, tuple[FakePutEvents, FakePutEvents]]:
    """Per mix: (old publisher's calls, new publisher's calls) for CHANGES creates."""
    world = World()
    small, medium, big = world.stored(600), world.stored(30 * 1024), world.stored(200 * 1024)
    mixes = {
        "1 KB records": [small] * CHANGES,
        "30 KB records": [medium] * CHANGES,
        "1 KB + 20% of 200 KB": [big if i % 5 == 0 else small for i in range(CHANGES)],
    }
    out: dict[str, tuple[FakePutEvents, FakePutEvents]] = {}
    for name, datas in mixes.items():
        changes = [world.change("create", d, i) for i, d in enumerate(datas)]
        before, after = FakePutEvents(), FakePutEvents()
        old_publish(changes, before)
        new_publish(world, changes, after)
        out[name] = (before, after)
    return out


def item_size(item: Mapping[str, Any]) -> int:
    """DynamoDB's size of an item of S and N attributes: names plus UTF-8 strings, numbers ~1 byte per 2 digits."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        if "S" in value:
            size += len(value["S"].encode())
        else:
            size += 1 + math.ceil(len(value["N"].lstrip("-")) / 2)
    return size


def audit_wcu() -> dict[str, tuple[int, int]]:
    """Per kind of change: (audit entry item bytes, write units: table + gsi1 [+ the delete's stamp])."""
    from shared.audit.dynamo_repository import audit_item
    from shared.audit.entries import audit_entry
    from shared.dynamo_values import to_attribute

    world = World()
    data = world.stored(600)
    edited = {**data, world.posts.field_by_name("title").id: "A better title"}  # type: ignore[union-attr]
    kinds = {"create": world.change("create", data, 1),
             "update (one field)": world.change("update", data, 2, new=edited),
             "delete": world.change("delete", data, 3)}
    record_item = {"pk": {"S": "r#pbc_1#3"}, "sk": {"S": "x" * 15}, "c": {"S": "pbc_1"}, "d": to_attribute(data),
                   "a": {"S": "x" * 220}, "v": {"N": "1"}}
    out: dict[str, tuple[int, int]] = {}
    for name, change in kinds.items():
        item = audit_item(audit_entry(change, world.posts, 0), 1_800_000_000)
        size = item_size(item)
        index_entry = {k: item[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}  # gsi1 projects keys only
        units = math.ceil(size / 1024) + math.ceil(item_size(index_entry) / 1024)
        if change.action == "delete":
            units += math.ceil(len(str(record_item).encode()) / 1024)  # the stamp's UpdateItem, about the item
        out[name] = (size, units)
    return out


def report() -> None:
    calls = put_events_per_100()
    for name, (before, after) in calls.items():
        print(f"PutEvents per {CHANGES} changes, {name}: before {before.calls} calls ({before.lost} events refused), "
              f"after {after.calls} calls ({after.lost} refused)")
        goals.record("events", f"PutEvents calls / {CHANGES} changes, {name}", "0 refused",
                     f"{before.calls} -> {after.calls} calls, refused {before.lost} -> {after.lost}", after.lost == 0)
    wcu = audit_wcu()
    for name, (size, units) in wcu.items():
        print(f"audit entry of a {name}: {size} bytes, {units} WCU")
    median = statistics.median(u for _, u in wcu.values())
    goals.record("audit", "WCU per record change (create/update/delete)", "informational",
                 "/".join(str(u) for _, u in wcu.values()) + f" (median {median})", None)


if __name__ == "__main__":
    report()
    goals.print_table()
