"""`FileStorage`: the files bucket behind an interface, with an in-memory fake and the S3 implementation.

Only this module speaks S3 for record files; callers pass keys from shared/files/keys.py.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol

import msgspec

from shared.errors import ServiceUnavailableError


class StoredObject(msgspec.Struct, frozen=True):
    """An object's bytes and the metadata served with it."""

    body: bytes
    content_type: str
    etag: str
    size: int


class ObjectInfo(msgspec.Struct, frozen=True):
    content_type: str
    etag: str
    size: int


class FileStorageError(ServiceUnavailableError):
    """The bucket could not be reached or refused a request: a 503 to the caller, never a half-done write."""


class FileStorage(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None:
        """Store (or replace) an object."""
        ...

    def get(self, key: str) -> StoredObject | None:
        """The object, or None when there is none."""
        ...

    def head(self, key: str) -> ObjectInfo | None:
        """The object's metadata, or None when there is none."""
        ...

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete these objects; a missing one is no error."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under the prefix (a record's files, a file's thumbs)."""
        ...

    def presigned_get(self, key: str, *, expires_s: int, filename: str, download: bool) -> str:
        """A short-lived URL for a GET of the object, its Content-Disposition set for `filename`."""
        ...

    def put_if_absent(self, key: str, body: bytes, content_type: str) -> bool:
        """Store the object only if there is none yet; False when one was there (it is left as it was)."""
        ...

    def read_head(self, key: str, length: int) -> bytes | None:
        """The object's first `length` bytes (a ranged GET), or None when there is none."""
        ...

    def copy(self, source: str, dest: str, content_type: str, size: int) -> None:
        """Copy an object within the bucket, server-side, storing it with this content type."""
        ...


class InMemoryFileStorage:
    """The fake for unit tests: a dict of objects."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self._lock = threading.Lock()

    def put(self, key: str, body: bytes, content_type: str) -> None:
        with self._lock:
            self.objects[key] = StoredObject(body, content_type, f'"{hashlib.md5(body).hexdigest()}"', len(body))

    def get(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def head(self, key: str) -> ObjectInfo | None:
        found = self.objects.get(key)
        return ObjectInfo(found.content_type, found.etag, found.size) if found else None

    def delete_many(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self.objects.pop(key, None)

    def delete_prefix(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self.objects if k.startswith(prefix)]:
                del self.objects[key]

    def presigned_get(self, key: str, *, expires_s: int, filename: str, download: bool) -> str:
        return f"memory://{key}?expires={expires_s}&download={int(download)}"

    def put_if_absent(self, key: str, body: bytes, content_type: str) -> bool:
        with self._lock:
            if key in self.objects:
                return False
            self.objects[key] = StoredObject(body, content_type, f'"{hashlib.md5(body).hexdigest()}"', len(body))
            return True

    def read_head(self, key: str, length: int) -> bytes | None:
        found = self.objects.get(key)
        return found.body[:length] if found else None

    def copy(self, source: str, dest: str, content_type: str, size: int) -> None:
        found = self.objects.get(source)
        if found is None:
            raise FileStorageError("Failed to store the file.")
        self.put(dest, found.body, content_type)


# An attach copies inside the request that attaches (API Gateway answers within 30 s), and one CopyObject is one
# serial copy (5 GiB at most). Past 256 MiB the copy goes part by part (UploadPartCopy), every part at once:
# the object split into at most MAX_PARALLEL_PARTS parts of at least 64 MiB, so even PocketBase's ~8 GB is one
# wave of 16 parts of 512 MiB, not a serial copy of the whole.
COPY_OBJECT_MAX_BYTES = 256 << 20
COPY_PART_BYTES = 64 << 20


class S3FileStorage:
    """The deployment's files bucket on S3 (moto locally)."""

    def __init__(self, bucket: str, public_endpoint: str = "", *, copy_object_max_bytes: int = COPY_OBJECT_MAX_BYTES,
                 copy_part_bytes: int = COPY_PART_BYTES) -> None:
        self.bucket = bucket
        self.copy_object_max_bytes = copy_object_max_bytes
        self.copy_part_bytes = copy_part_bytes
        # Where presigned URLs point: S3's own endpoint on AWS (empty), moto's loopback server locally, since
        # the local stack's own calls reach moto in-process, with no endpoint a browser could use.
        self.public_endpoint = public_endpoint

    def _s3(self) -> Any:
        from shared.aws import client

        return client("s3")

    def put(self, key: str, body: bytes, content_type: str) -> None:
        s3 = self._s3()
        try:
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        except s3.exceptions.ClientError as exc:
            raise FileStorageError("Failed to store the file.") from exc

    def get(self, key: str) -> StoredObject | None:
        s3 = self._s3()
        try:
            found = s3.get_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.NoSuchKey:
            return None
        except s3.exceptions.ClientError as exc:
            raise FileStorageError("Failed to read the file.") from exc
        body = found["Body"].read()
        return StoredObject(body, found.get("ContentType", "application/octet-stream"), found["ETag"], len(body))

    def head(self, key: str) -> ObjectInfo | None:
        s3 = self._s3()
        try:
            found = s3.head_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise FileStorageError("Failed to read the file.") from exc
        return ObjectInfo(found.get("ContentType", "application/octet-stream"), found["ETag"],
                          int(found["ContentLength"]))

    def delete_many(self, keys: Iterable[str]) -> None:
        pending = list(dict.fromkeys(keys))
        s3 = self._s3()
        for first in range(0, len(pending), 1000):  # DeleteObjects' limit
            chunk = pending[first:first + 1000]
            try:
                s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
            except s3.exceptions.ClientError as exc:
                raise FileStorageError("Failed to delete files.") from exc

    def delete_prefix(self, prefix: str) -> None:
        pages = self._s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            self.delete_many(obj["Key"] for obj in page.get("Contents", []))

    def presigned_get(self, key: str, *, expires_s: int, filename: str, download: bool) -> str:
        disposition = "attachment" if download else "inline"
        safe = filename.replace('"', "")
        from shared.aws import client

        return str(client("s3", self.public_endpoint or None).generate_presigned_url(
            "get_object", ExpiresIn=expires_s,
            Params={"Bucket": self.bucket, "Key": key,
                    "ResponseContentDisposition": f'{disposition}; filename="{safe}"'}))

    def put_if_absent(self, key: str, body: bytes, content_type: str) -> bool:
        s3 = self._s3()
        try:
            # S3's conditional write: of concurrent writers exactly one succeeds, the others get a 412.
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, IfNoneMatch="*")
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise FileStorageError("Failed to store the file.") from exc
        return True

    def read_head(self, key: str, length: int) -> bytes | None:
        s3 = self._s3()
        try:
            found = s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{max(length, 1) - 1}")
        except s3.exceptions.NoSuchKey:
            return None
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":  # an empty object
                return b""
            raise FileStorageError("Failed to read the file.") from exc
        return bytes(found["Body"].read())

    def copy(self, source: str, dest: str, content_type: str, size: int) -> None:
        from shared.files.multipart_copy import copy_in_parts, part_bytes_for

        s3 = self._s3()
        try:
            if size <= self.copy_object_max_bytes:
                s3.copy_object(Bucket=self.bucket, Key=dest, CopySource={"Bucket": self.bucket, "Key": source},
                               ContentType=content_type, MetadataDirective="REPLACE")
            else:
                copy_in_parts(s3, self.bucket, source, dest, content_type, size,
                              part_bytes_for(size, self.copy_part_bytes))
        except s3.exceptions.ClientError as exc:
            raise FileStorageError("Failed to store the file.") from exc


@lru_cache(maxsize=4)
def get_file_storage(bucket: str, public_endpoint: str = "") -> S3FileStorage:
    """The storage of this bucket, one per process."""
    return S3FileStorage(bucket, public_endpoint)
