"""Importing many records at once (superuser rights): every row validated first, then written in chunks."""

from __future__ import annotations

from typing import Any

from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.errors import BadRequestError, field_error
from shared.records import creation_order, indexing, links
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord
from shared.records.repository import RecordRepository
from shared.records.validation import prepare_record


def import_records(collections: CollectionRepository, records: RecordRepository, collection_id_or_name: str,
                   rows: list[dict[str, Any]]) -> int:
    """Create many records with superuser rights; returns how many were written.

    Every row is validated first, as a superuser's create (rules skipped, hidden fields allowed), and
    nothing is written when any row fails: the 400 lists each failing row's field errors under its index.
    Ids reused among the rows or already stored, and unique values repeated among the rows or already
    claimed, are validation errors too.

    Collections without UNIQUE indexes are written with plain fast puts (BatchWriteItem on DynamoDB). Those
    with UNIQUE indexes are written conditionally, each record with its claim items (TransactWriteItems),
    so uniqueness holds even against writers racing the import. A plain put would overwrite a record
    created with the same explicit id between validation and write; generated ids cannot collide.

    The import is not atomic: a failure while writing (a racing unique value, exhausted retries) leaves
    the chunks before it written.
    """
    stored = collections.get(collection_id_or_name)
    if stored.collection.type == "view":
        raise BadRequestError("View collections have no records of their own to import.")
    if not isinstance(rows, list) or not rows:
        raise BadRequestError("Failed to import records.", {"rows": field_error(
            "validation_required", "Cannot be blank.")})
    writes = _prepare_rows(collections, records, stored, rows)
    # A plain batch write cannot be conditional: with UNIQUE indexes each record goes with its claims.
    conditional = any(index.unique for index in stored.layout.indexes)
    # imported ids need not start with their `created` instant: the marker first, as for any unproven create
    if not all(creation_order.proves_order(stored.collection, w.record) for _, w in writes):
        records.mark_unordered(stored.collection.id)
    try:
        records.import_records([w for _, w in writes], conditional=conditional)
    except RecordConflictError as exc:
        raise _race_error(stored, writes, exc) from exc
    return len(writes)


def _prepare_rows(collections: CollectionRepository, records: RecordRepository, stored: StoredCollection,
                  rows: list[dict[str, Any]]) -> list[tuple[int, RecordWrite]]:
    """Each valid row's create write, by row index; raises the 400 listing every invalid row."""
    from shared.records.record_loader import RecordLoader

    collection, layout = stored.collection, stored.layout
    meter = ReadMeter()
    loader = RecordLoader(collections, records, meter)  # caches related ids across rows

    def relation_exists(collection_id: str, ids: list[str]) -> bool:
        target = collections.find(collection_id)
        return target is not None and len(loader.many(target.collection, ids)) == len(set(ids))

    errors: dict[str, Any] = {}
    writes: list[tuple[int, RecordWrite]] = []
    row_of_id: dict[str, int] = {}
    row_of_claim: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(i)] = field_error("validation_invalid_value", "Must be an object.")
            continue
        try:
            prepared = prepare_record(collection, row, None, is_superuser=True, relation_exists=relation_exists)
        except BadRequestError as exc:
            errors[str(i)] = exc.data or field_error("validation_invalid_value", exc.message)
            continue
        record = StoredRecord(collection.id, prepared.record_id, dict(prepared.merged_by_field_id))
        claims = indexing.unique_claims(collection, layout, record.data, record.id)
        problems: dict[str, Any] = {}
        if record.id in row_of_id:
            problems["id"] = field_error("validation_invalid_id", f"Row {row_of_id[record.id]} has the same id.")
        for claim in claims:
            if claim in row_of_claim:
                problems.update(indexing.unique_violations(collection, layout, claim))
        record_links = links.record_links(collection, record.data)
        if problems:
            errors[str(i)] = problems
            continue
        row_of_id[record.id] = i
        row_of_claim.update(dict.fromkeys(claims, i))
        writes.append((i, RecordWrite(kind="create", record=record, claims=claims, links_added=record_links,
                                      index_attrs=indexing.index_attributes(collection, layout, record.data,
                                                                            record.id))))
    # Only explicitly given ids can already exist: generated ones are a timestamp and 7 random characters.
    explicit = [w.record.id for i, w in writes if rows[i].get("id")]
    for record_id in records.get_many(collection.id, explicit, meter):
        errors[str(row_of_id[record_id])] = {"id": field_error("validation_invalid_id",
                                                               "The record id already exists.")}
    for claim in records.claims_taken(list(row_of_claim)):
        errors.setdefault(str(row_of_claim[claim]), {}).update(indexing.unique_violations(collection, layout, claim))
    if errors:
        ordered = dict(sorted(errors.items(), key=lambda item: int(item[0])))
        raise BadRequestError("Failed to import records.", {"rows": ordered})
    return writes


def _race_error(stored: StoredCollection, writes: list[tuple[int, RecordWrite]], exc: RecordConflictError
                ) -> BadRequestError:
    """A record or claim written by someone else since validation: the rows it hit (earlier chunks stay written)."""
    row_of_id = {w.record.id: i for i, w in writes}
    row_of_claim = {c: i for i, w in writes for c in w.claims}
    rows: dict[str, Any] = {}
    for _, record_id in exc.ids_taken:
        rows[str(row_of_id[record_id])] = {"id": field_error("validation_invalid_id", "The record id already exists.")}
    for claim in exc.claims_taken:
        rows.setdefault(str(row_of_claim[claim]), {}).update(
            indexing.unique_violations(stored.collection, stored.layout, claim))
    return BadRequestError("Failed to import records: a concurrent change took an id or a unique value of a row; "
                           "the rows before its chunk were written.", {"rows": rows})
