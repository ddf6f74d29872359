"""S3 lifecycle rules on moto, which never applies them: a sweeper expires and aborts as the declared rules say.

Each `ExpiryDef` of a bucket (shared/resources.py, the same definition CDK deploys) is applied as S3 does it:
objects under its prefix older than `days` are deleted, and multipart uploads under it initiated more than
`abort_multipart_days` ago are aborted. S3 runs its rules once a day, at midnight UTC, on objects past their
age; the sweeper runs every LB_TTL_INTERVAL_S with the exact age, so locally an object may go a little earlier
than on AWS, never later than the rule allows (no local-only leniency).

moto reports every multipart upload as initiated in 2010, so the sweeper dates an upload from when it first
saw it (within one interval of its start). That memory is the process's: after a restart an incomplete upload
is dated anew, and a restored snapshot dates its objects from the restore (moto rewrites LastModified).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from shared import resources
from shared.aws import client

DAY_S = 86_400

_first_seen: dict[str, float] = {}
_lock = threading.Lock()
# Every object of this process's moto was written (or restored, which dates it anew) after this: while the
# process is younger than a rule's age, no object can have reached it, and listing the bucket is skipped.
_STARTED = time.time()


def _uploads_in_progress(bucket: str) -> bool:
    """Whether this process's moto holds a multipart upload in `bucket` (True when it cannot tell)."""
    from moto.s3.models import s3_backends

    from local.cloud import ACCOUNT_ID

    stored = s3_backends[ACCOUNT_ID]["aws"].buckets.get(bucket)
    return stored is None or bool(getattr(stored, "multiparts", True))


def sweep_lifecycle(now: float | None = None) -> int:
    """Apply every bucket's expiries; returns how many objects and uploads were removed."""
    s3 = client("s3")
    epoch = now if now is not None else time.time()
    moment = datetime.fromtimestamp(epoch, UTC)
    removed = 0
    for bucket in resources.BUCKETS:
        name = bucket.physical_name
        for expiry in bucket.expiries:
            old: list[str] = []
            if epoch - _STARTED >= expiry.days * DAY_S:
                pages = s3.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=expiry.prefix)
                old = [obj["Key"] for page in pages for obj in page.get("Contents", [])
                       if (moment - obj["LastModified"]).total_seconds() >= expiry.days * DAY_S]
            for first in range(0, len(old), 1000):
                s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": k} for k in old[first:first + 1000]],
                                                       "Quiet": True})
            removed += len(old)
            if not _uploads_in_progress(name):
                continue
            uploads = s3.list_multipart_uploads(Bucket=name, Prefix=expiry.prefix).get("Uploads", [])
            for upload in uploads:
                with _lock:
                    started = _first_seen.setdefault(upload["UploadId"], min(epoch, time.time()))
                if epoch - started >= expiry.abort_multipart_days * DAY_S:
                    s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
                    with _lock:
                        _first_seen.pop(upload["UploadId"], None)
                    removed += 1
    return removed


def apply_cors() -> None:
    """The CORS rule CDK puts on buckets browsers upload to, from the same origins as the API's (LB_CORS_ORIGINS)."""
    from shared.http.security import SecuritySettings

    origins = SecuritySettings().cors_origin_list
    s3 = client("s3")
    for bucket in resources.BUCKETS:
        if bucket.browser_uploads and origins:
            s3.put_bucket_cors(Bucket=bucket.physical_name, CORSConfiguration={"CORSRules": [{
                "AllowedMethods": ["POST", "PUT"], "AllowedOrigins": origins, "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}]})
