"""`__pbOTPCleanup__` and `__pbMFACleanup__`: delete the `_otps` and `_mfas` records past their auth
collection's `otp.duration` / `mfa.duration`, as PocketBase does every hour.

PocketBase checks the age again when a code is used, so the cleanup only bounds what is stored; here too.
Deletes go through the records writer as the system, so the same hooks and reference rules apply as to
any delete. Each run reads one page per auth collection and deletes what it found: an hourly job catches up
over later runs when more than a page expired at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from shared.catalog.repository import CollectionRepository
from shared.records.context import RequestContext
from shared.records.hooks import RecordHooks
from shared.records.repository import RecordRepository
from shared.records.scope import RecordScope

PAGE = 500


def _cutoff(seconds: int, now: float) -> str:
    """PocketBase's datetime text of `now - seconds`, comparable with `created`."""
    return datetime.fromtimestamp(now - seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.000Z")


def delete_expired(collection_name: str, collections: CollectionRepository, records: RecordRepository,
                   hooks: RecordHooks, *, now: float | None = None) -> int:
    """Delete the records of `collection_name` (`_otps` or `_mfas`) older than their auth collection allows."""
    moment = time.time() if now is None else now
    scope = RecordScope(collections, records, RequestContext(method="DELETE", system=True), hooks)
    deleted = 0
    for stored in collections.all():
        collection = stored.collection
        if not collection.is_auth:
            continue
        # Even while OTP or MFA is off, as PocketBase: no old code is left behind to be switched back on.
        duration = collection.otp.duration if collection_name == "_otps" else collection.mfa.duration
        page = scope.reader.list_page(collection_name, {
            "filter": f"collectionRef = '{collection.id}' && created < '{_cutoff(duration, moment)}'",
            "perPage": str(PAGE), "skipTotal": "1", "fields": "id",
        })
        for item in page["items"]:
            scope.writer.delete(collection_name, item["id"])
            deleted += 1
    return deleted
