"""The files of record writes, through the record hooks: upload before the commit, clean up after it.

S3 writes cannot join the DynamoDB transaction, so the order makes every outcome safe:
- `validate`: `upload:<slot>` values (direct uploads to S3) are checked and become uploads (shared/files/attach.py);
- `before` (rules and validation passed): the request's new uploads are stored under the record's prefix, a
  direct upload by a server-side copy of its staging object (a small JPEG or PNG read and stored without EXIF);
- `failed` (the commit did not happen): those uploads are deleted again;
- `after` (committed): the files the write removed or replaced, with their thumbs, are deleted, and a deleted
  record's whole prefix, and the staging objects of attached direct uploads. A failure there never fails the
  committed request: the cleanup is queued as a `file_cleanup` job, which SQS retries (then keeps in its DLQ);
  only if that send fails too are the keys merely logged.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from shared.collections.fields import FileField
from shared.collections.model import Collection
from shared.files import keys
from shared.files.attach import AttachedUpload, SignerFactory, attached_in, register_attach_hooks
from shared.files.exif import strip_metadata
from shared.files.storage import FileStorage, FileStorageError
from shared.files.uploaded import UploadedFile, uploads_in
from shared.observability import logger
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.model import StoredRecord

if TYPE_CHECKING:
    from shared.jobs.queue import JobQueue

StorageFactory = Callable[[], FileStorage]
# Where a failed cleanup goes to be retried: the jobs queue (shared/jobs/queue.py), resolved on first failure.
CleanupQueueFactory = Callable[[], "JobQueue"]
MAX_PARALLEL_PUTS = 8


def _file_fields(collection: Collection) -> list[FileField]:
    return [f for f in collection.fields if isinstance(f, FileField)]


def _uploads(collection: Collection, record: StoredRecord) -> list[UploadedFile]:
    return [u for f in _file_fields(collection) for u in uploads_in(record.data.get(f.id))]


def _names(collection: Collection, record: StoredRecord | None) -> set[str]:
    if record is None:
        return set()
    return {str(name) for f in _file_fields(collection) for name in f.values_of(record.data.get(f.id))}


class RecordFiles:
    """The hooks; `storage` is resolved on first use, so requests without files never build an S3 client."""

    def __init__(self, storage: StorageFactory, cleanup_queue: CleanupQueueFactory | None = None) -> None:
        self._storage = storage
        self._cleanup_queue = cleanup_queue

    def upload(self, event: RecordEvent) -> None:
        collection, record = event.collection, event.record
        pending = {keys.original_key(collection.id, record.id, u): u for u in _uploads(collection, record)}
        if not pending:
            return
        storage = self._storage()

        def put(key: str) -> str:
            upload = pending[key]
            if isinstance(upload, AttachedUpload) and upload.strip_exif:
                staged = storage.get(upload.source_key)
                if staged is None:
                    raise FileStorageError("Failed to store the file.")
                storage.put(key, strip_metadata(staged.body, upload.content_type), upload.content_type)
            elif isinstance(upload, AttachedUpload):
                storage.copy(upload.source_key, key, upload.content_type, upload.size)
            else:
                storage.put(key, upload.content, upload.content_type)
            return key

        if len(pending) == 1:
            put(next(iter(pending)))
            return
        # one S3 round trip for the request's files, not one after the other
        with ThreadPoolExecutor(max_workers=min(len(pending), MAX_PARALLEL_PUTS)) as pool:
            futures = [pool.submit(put, key) for key in pending]
        errors = [error for f in futures if (error := f.exception()) is not None]
        if errors:
            self._delete_logged([f.result() for f in futures if f.exception() is None], "a partial upload")
            raise errors[0]

    def discard(self, event: RecordEvent) -> None:
        collection, record = event.collection, event.record
        self._storage().delete_many(keys.original_key(collection.id, record.id, u)
                                    for u in _uploads(collection, record))

    def release_attached(self, event: RecordEvent) -> None:
        """The staging objects of direct uploads the commit attached: copied, so no longer needed."""
        staged = [u.source_key for f in _file_fields(event.collection)
                  for u in attached_in(event.record.data.get(f.id))]
        if staged:
            try:
                self._storage().delete_many(staged)
            except Exception:
                # harmless: the uploads/ lifecycle rule expires them within a day
                logger.warning("attached uploads left in staging", extra={"keys": staged})
                raise

    def clean_up(self, event: RecordEvent) -> None:
        collection, record = event.collection, event.record
        if not _file_fields(collection):
            return
        if event.action == "delete":
            # a record that never held a file has nothing (no thumbs either) to list and delete
            prefixes = [keys.record_prefix(collection.id, record.id)] if _names(collection, record) else []
            originals: list[str] = []
        else:
            removed = sorted(_names(collection, event.existing) - _names(collection, record))
            prefixes = [keys.thumbs_prefix(collection.id, record.id, name) for name in removed]
            originals = [keys.original_key(collection.id, record.id, name) for name in removed]
        if not prefixes:
            return
        try:
            storage = self._storage()
            storage.delete_many(originals)
            for prefix in prefixes:
                storage.delete_prefix(prefix)
        except Exception:
            logger.warning("file cleanup after a committed write failed; queued to retry",
                           extra={"keys": originals, "prefixes": prefixes, "record_id": record.id})
            self._queue_cleanup(collection.id, record.id, originals, prefixes, deleted=event.action == "delete")

    def _queue_cleanup(self, collection_id: str, record_id: str, originals: list[str], prefixes: list[str], *,
                       deleted: bool) -> None:
        """Hand a failed cleanup to the jobs queue, whose retries and DLQ outlast a passing S3 fault."""
        import uuid

        from shared.jobs.messages import FileCleanupMessage

        if self._cleanup_queue is None:
            raise FileStorageError("Failed to delete the files.")
        message = FileCleanupMessage(job_id=uuid.uuid4().hex, collection_id=collection_id, record_id=record_id,
                                     keys=originals, prefixes=prefixes, record_deleted=deleted)
        try:
            self._cleanup_queue().send(message)
        except Exception:
            # the one trace of an orphan nothing retries: these keys are what to delete by hand
            logger.exception("orphaned files left after a committed write", extra=message.model_dump())
            raise

    def _delete_logged(self, stored: list[str], what: str) -> None:
        try:
            self._storage().delete_many(stored)
        except Exception:
            logger.exception(f"failed to delete {what}", extra={"keys": stored})


def _process_signer() -> SignerFactory:
    from shared.files.slots import process_signer

    return process_signer


def register_file_hooks(hooks: RecordHooks, storage: StorageFactory, signer: SignerFactory | None = None,
                        cleanup_queue: CleanupQueueFactory | None = None) -> None:
    files = RecordFiles(storage, cleanup_queue)
    register_attach_hooks(hooks, signer or _process_signer(), storage)
    hooks.on("before", files.upload, actions=("create", "update"))
    hooks.on("failed", files.discard, actions=("create", "update"))
    hooks.on("after", files.clean_up, actions=("update", "delete"))
    hooks.on("after", files.release_attached, actions=("create", "update"))
