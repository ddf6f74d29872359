"""Whether id order is `created` order: the rule behind serving `sort=created` / `-created` from the id order.

A generated id starts with the millisecond of the instant that also stamps the record's `created` (see
validation.prepare_record), so for such records id order is `created` order, ties broken by id. Anything
else breaks it: a client-supplied or imported id, a custom id pattern, a collection without a `created`
autodate, or a schema change that makes `created` another field. Each write checks the record it leaves
(`proves_order`); one that cannot prove its order has the repository put the collection's *unordered marker*
(keys.unordered_pk) before the record is written, so the marker can only ever be extra. The planner serves
creation order from the id order only for a `created` field that is an onCreate-only autodate, and the list
only while the marker is absent (read in the first wave, shared/records/query.py).
"""

from __future__ import annotations

from shared.collections.datetime import epoch_ms
from shared.collections.fields import AutodateField
from shared.collections.ids import id_time_ms
from shared.collections.model import Collection
from shared.records.model import StoredRecord

CREATED = "created"


def creation_field(collection: Collection) -> AutodateField | None:
    """The collection's `created` field when it is stamped once, at creation (an onCreate-only autodate)."""
    found = collection.field_by_name(CREATED)
    if isinstance(found, AutodateField) and found.on_create and not found.on_update:
        return found
    return None


def proves_order(collection: Collection, record: StoredRecord) -> bool:
    """Whether the record's id starts with its `created` millisecond (as stored under this schema)."""
    found = collection.field_by_name(CREATED)
    if found is None:
        return False
    stamp = epoch_ms(record.data.get(found.id))
    return stamp is not None and stamp == id_time_ms(record.id)


def field_signature(collection: Collection) -> tuple[str, str, bool, bool] | None:
    """What `created` is, for schema changes: a change of it re-labels every stored value under the name."""
    found = collection.field_by_name(CREATED)
    if found is None:
        return None
    if isinstance(found, AutodateField):
        return found.id, found.field_type, found.on_create, found.on_update
    return found.id, found.field_type, False, False


def schema_breaks_order(before: Collection, after: Collection) -> bool:
    """Whether a schema change can make stored records disagree with id order under `created`.

    A `created` that appears where there was none needs no marker: every record written without it was
    unproven, so its write marked the collection already.
    """
    old = field_signature(before)
    return old is not None and old != field_signature(after)
