"""The files of a truncated or deleted collection: its whole `<collectionId>/` prefix, deleted by a job.

Truncating (and deleting, which truncates first) removes the records in the collections function, which holds
no grant on the files bucket; it queues a `delete_files` job instead, and the jobs function deletes the prefix
(originals and thumbs) in bounded steps, each listing and deleting up to FILES_STEP_OBJECTS objects and queueing
the next while more remain. Objects written at or after `before_ms` (the truncation's start) are kept: a record
created right after a truncation, in the same collection, keeps its files. S3's LastModified has whole seconds,
so an object dated the truncation's second (or later) is only deleted once its record is known not to exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared import runtime_resources, settings
from shared.observability import logger

FILES_STEP_OBJECTS = 10_000
_LIST_PAGE = 1000  # ListObjectsV2's page and DeleteObjects' batch


class CollectionFilesSettings(settings.Observability):
    files_bucket: str = runtime_resources.FILES_BUCKET.physical_name


def collection_prefix(collection_id: str) -> str:
    return f"{collection_id}/"


def delete_collection_files(collection_id: str, before_ms: int, record_exists: Callable[[str], bool], *,
                            start_after: str = "", s3: Any = None, bucket: str = "") -> str | None:
    """Delete one step's worth of the collection's older objects; the key to resume after, None when done."""
    if s3 is None:
        from shared.aws import client

        s3 = client("s3")
    bucket = bucket or settings.load(CollectionFilesSettings).files_bucket
    prefix = collection_prefix(collection_id)
    seen = 0
    cursor = start_after
    while seen < FILES_STEP_OBJECTS:
        page = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=_LIST_PAGE,
                                  **({"StartAfter": cursor} if cursor else {}))
        contents = page.get("Contents", [])
        if not contents:
            return None
        seen += len(contents)
        cursor = contents[-1]["Key"]
        cutoff_ms = before_ms - before_ms % 1000
        old = [{"Key": o["Key"]} for o in contents
               if _ms(o["LastModified"]) < cutoff_ms or not record_exists(_record_id(prefix, o["Key"]))]
        if old:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": old, "Quiet": True})
        if not page.get("IsTruncated"):
            return None
    logger.info("collection files step", extra={"collection_id": collection_id, "objects": seen})
    return cursor


def _record_id(prefix: str, key: str) -> str:
    return key.removeprefix(prefix).split("/", 1)[0]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
