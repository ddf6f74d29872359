"""Truncation of a collection: a bounded part within the request, the rest as a queued job, chunk by chunk.

Why: a request must answer within 29 s. Deleting costs a BatchWriteItem slot per record and per unique claim
(25 a call, about 15 ms a call on DynamoDB, so about 1,600 items/s in one thread) plus reading the records
(1,000 an item page, about 10,000/s): with one claim per record about 800 records/s, some 23,000 in 29 s at
best. The request deletes at most TRUNCATE_SYNC_RECORDS (about 6 s), which covers most collections; a larger
one answers at once and the job deletes the rest, TRUNCATE_CHUNK_RECORDS per step. Deleting is idempotent and
each step reads from the collection's first remaining record, so the message needs no cursor; the step count
is bounded by the total seen at the start, so writes during the job cannot keep it running.
"""

from __future__ import annotations

import math
from typing import Any

from shared.catalog.repository import StoredCollection
from shared.jobs.context import JobContext
from shared.jobs.index_build import new_job_id
from shared.jobs.messages import DeleteFilesMessage, FileCleanupMessage, TruncateMessage
from shared.observability import logger
from shared.records import indexing, links
from shared.records.model import Link, ReadMeter, StoredRecord

TRUNCATE_SYNC_RECORDS = 5_000
TRUNCATE_CHUNK_RECORDS = 5_000


def as_json(stored: StoredCollection) -> dict[str, Any]:
    """The stored collection as a message carries it: the collection may be deleted before the job ends."""
    return {"collection": stored.collection.to_storage_json(), "layout": stored.layout.model_dump(mode="json")}


def _delete_chunk(ctx: JobContext, stored: StoredCollection, limit: int) -> int:
    collection, layout = stored.collection, stored.layout

    def claims_of(record: StoredRecord) -> list[str]:
        # Claims of every unique index, failed ones included: a truncated collection holds none afterwards.
        return indexing.unique_claims(collection, layout.model_copy(update={"indexes": [
            i.model_copy(update={"error": None}) for i in layout.indexes]}), record.data, record.id)

    def links_of(record: StoredRecord) -> list[Link]:
        return links.record_links(collection, record.data)

    # the message's layout, not the catalog's: the collection may be deleted by now
    return ctx.records.delete_collection_data(collection.id, claims_of, links_of, limit=limit, shards=layout.shards)


def truncate_collection(ctx: JobContext, stored: StoredCollection, *, delete_files: bool = False) -> bool:
    """Delete the collection's records; True when all are gone, False when a job deletes the rest. With
    `delete_files`, a job deletes the collection's files too (tools running jobs inline keep them)."""
    started_ms = int(ctx.clock() * 1000)
    deleted = _delete_chunk(ctx, stored, TRUNCATE_SYNC_RECORDS)
    if delete_files and any(f.field_type == "file" for f in stored.collection.fields):
        # the files go by a job of their own: only the jobs function holds the bucket (files/collection_files.py)
        ctx.queue.send(DeleteFilesMessage(job_id=new_job_id(), collection_id=stored.collection.id,
                                          before_ms=started_ms))
    if deleted < TRUNCATE_SYNC_RECORDS:
        return True
    # The counter still counts some of what was just deleted (it follows the stream): an over-estimate.
    remaining = ctx.records.read_counter(stored.collection.id, ReadMeter()) or 0
    steps = math.ceil(remaining / TRUNCATE_CHUNK_RECORDS) + 2
    ctx.queue.send(TruncateMessage(job_id=new_job_id(), collection_id=stored.collection.id,
                                   collection=as_json(stored), steps_left=steps))
    return False


def run_truncate(ctx: JobContext, message: TruncateMessage) -> None:
    """Delete the next chunk of records; queue the next step while chunks come back full and steps remain."""
    stored = StoredCollection.model_validate(message.collection)
    deleted = _delete_chunk(ctx, stored, TRUNCATE_CHUNK_RECORDS)
    more = deleted >= TRUNCATE_CHUNK_RECORDS and message.steps_left > 1
    logger.info("truncate step", extra={"job": message.job_id, "collection": message.collection_id,
                                        "step": message.step, "deleted": deleted, "more": more})
    if more:
        ctx.queue.send(message.model_copy(update={"step": message.step + 1, "steps_left": message.steps_left - 1}))


def run_delete_files(ctx: JobContext, message: DeleteFilesMessage) -> None:
    """Delete the next step of a truncated collection's files; queue the next while more remain."""
    from shared.files.collection_files import delete_collection_files

    def record_exists(record_id: str) -> bool:
        return ctx.records.get(message.collection_id, record_id, ReadMeter()) is not None

    resume = delete_collection_files(message.collection_id, message.before_ms, record_exists,
                                     start_after=message.start_after)
    if resume is not None:
        ctx.queue.send(message.model_copy(update={"start_after": resume, "step": message.step + 1}))


def run_file_cleanup(ctx: JobContext, message: FileCleanupMessage) -> None:
    """Retry a committed write's file cleanup; a failure raises, so SQS redelivers it (then its DLQ keeps it)."""
    from shared import settings
    from shared.files.collection_files import CollectionFilesSettings
    from shared.files.storage import get_file_storage

    storage = get_file_storage(settings.load(CollectionFilesSettings).files_bucket)
    if message.record_deleted and ctx.records.get(message.collection_id, message.record_id, ReadMeter()):
        # a record of the same id was created since: the prefix holds its files now
        logger.warning("file cleanup skipped: the record exists again", extra={"record_id": message.record_id})
        return
    storage.delete_many(message.keys)
    for prefix in message.prefixes:
        storage.delete_prefix(prefix)
