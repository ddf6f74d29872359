"""Reverse references: the links a record's relation fields hold, what a write adds and removes, and the backfill.

Every link (field id, target collection id, target id) is stored as a reverse-reference item under the target
(keys.reference_pk), written in the same transaction as the record, so "who references X" is one Query.

Example: a comment `c1` whose `post` field (id `f_post`) points at post `p1` of collection `pbc_posts` holds
the link ("f_post", "pbc_posts", "p1"), stored as `pk = ref#pbc_posts#p1`, `sk = <comments id>\\x01f_post\\x01c1`.
"""

from __future__ import annotations

from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.records.model import Link, ReadMeter, RecordWrite
from shared.records.repository import RecordRepository

# Records whose reverse items the backfill writes per storage call group; keeps memory flat on big collections.
BACKFILL_CHUNK = 500


def record_links(collection: Collection, data: dict[str, Any] | None) -> list[Link]:
    """Every link a record's stored values hold, in field order, each once."""
    if not data:
        return []
    links: dict[Link, None] = {}
    for field in collection.fields:
        if field.field_type != "relation":
            continue
        target = getattr(field, "collection_id", "")
        value = field.from_stored(data.get(field.id))
        ids = value if isinstance(value, list) else [value]
        for target_id in ids:
            if isinstance(target_id, str) and target_id:
                links[(field.id, target, target_id)] = None
    return list(links)


def link_changes(collection: Collection, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> tuple[list[Link], list[Link]]:
    """(added, removed): the reverse items a write from `before` to `after` must put and delete."""
    old, new = record_links(collection, before), record_links(collection, after)
    old_set, new_set = set(old), set(new)
    return [link for link in new if link not in old_set], [link for link in old if link not in new_set]


def merged_links(first: RecordWrite, later: RecordWrite) -> tuple[list[Link], list[Link]]:
    """(added, removed) of two successive writes of one record, as one write (`later` planned after `first`).

    With S0 the links before `first`: the result adds (A1 - R2) | A2 and removes (R1 | (R2 - A1)) - A2, which
    takes S0 to the state after `later` (re-adding a link S0 already held is a harmless idempotent put).
    """
    later_removed, later_added = set(later.links_removed), set(later.links_added)
    first_added = set(first.links_added)
    added = [link for link in first.links_added if link not in later_removed]
    added += [link for link in later.links_added if link not in set(added)]
    removed = [link for link in [*first.links_removed, *later.links_removed]
               if link not in later_added and not (link in later_removed and link in first_added)]
    return added, list(dict.fromkeys(removed))


def backfill_links(collections: CollectionRepository, records: RecordRepository) -> int:
    """Write the reverse items of every stored record that holds relation ids (idempotent); returns how many."""
    written = 0
    for stored in collections.all():
        collection = stored.collection
        if collection.type == "view" or not any(f.field_type == "relation" for f in collection.fields):
            continue
        pending: list[tuple[str, str, Link]] = []
        for record in records.scan(collection.id, ReadMeter()):
            pending.extend((collection.id, record.id, link) for link in record_links(collection, record.data))
            if len(pending) >= BACKFILL_CHUNK:
                records.add_links(pending)
                written += len(pending)
                pending = []
        if pending:
            records.add_links(pending)
            written += len(pending)
    return written


if __name__ == "__main__":  # pragma: no cover - the one-off upgrade step documented in docs/data-model.md
    from shared import settings
    from shared.catalog.repository import get_collection_repository
    from shared.records.repository import get_record_repository

    tables = settings.load(settings.Tables)
    count = backfill_links(get_collection_repository(tables.system_table),
                           get_record_repository(tables.records_table, tables.system_table))
    print(f"{count} reverse references written")
