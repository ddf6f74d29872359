"""Where archives live: the backups bucket, or the bucket of `backups.s3` settings when they are enabled.

Archives are the objects at the top level of the bucket; a create job stages its parts under `.staging/`, which
listing never shows. The only module of the package that speaks S3 to the backups location (jobs read and write
the files bucket themselves).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

import msgspec

from shared import aws
from shared.app_settings.model import S3Settings

if TYPE_CHECKING:
    from shared.backups.multipart import MultipartUpload

STAGING_PREFIX = ".staging/"
# S3's smallest multipart part (but the last); parts this size keep a stream's memory bounded.
PART_BYTES = 8 * 1024 * 1024


class BackupNotFoundError(Exception):
    """No archive with this key."""


class BackupFile(msgspec.Struct, frozen=True):
    """One archive as PocketBase lists it."""

    key: str
    size: int
    modified: datetime

    def to_api_json(self) -> dict[str, Any]:
        # PocketBase's DateTime text: milliseconds, UTC, a space between date and time.
        stamp = self.modified.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + \
            f"{self.modified.microsecond // 1000:03d}Z"
        return {"key": self.key, "modified": stamp, "size": self.size}


def _s3_client(config: S3Settings | None) -> Any:
    """The default S3 client, or one for the external bucket of `backups.s3` settings."""
    if config is None or not config.enabled:
        return aws.client("s3")
    import boto3
    from botocore.config import Config

    style = Config(s3={"addressing_style": "path"}) if config.force_path_style else None
    return boto3.session.Session().client(
        "s3", region_name=config.region or None, endpoint_url=config.endpoint or None,
        aws_access_key_id=config.access_key or None, aws_secret_access_key=config.secret or None, config=style)


class BackupLocation:
    """An S3 bucket holding archives at its top level."""

    def __init__(self, bucket: str, s3: Any | None = None, public_endpoint: str = "") -> None:
        self.bucket = bucket
        self._s3 = s3
        # the endpoint presigned URLs of the deployment's own bucket point at (moto's server locally)
        self.public_endpoint = public_endpoint

    @classmethod
    def configured(cls, default_bucket: str, config: S3Settings | None, *,
                   public_endpoint: str = "") -> BackupLocation:
        """The location the settings name: the external bucket when `backups.s3` is enabled."""
        if config is not None and config.enabled:
            return cls(config.bucket, _s3_client(config))
        return cls(default_bucket, public_endpoint=public_endpoint)

    @property
    def s3(self) -> Any:
        return self._s3 if self._s3 is not None else aws.client("s3")

    def list(self) -> list[BackupFile]:
        """Every archive, sorted by key as PocketBase lists them."""
        found: list[BackupFile] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Delimiter="/"):
            for obj in page.get("Contents", []):
                if not obj["Key"].startswith("."):
                    found.append(BackupFile(obj["Key"], int(obj["Size"]), obj["LastModified"]))
        return sorted(found, key=lambda f: f.key)

    def head(self, key: str) -> BackupFile | None:
        from botocore.exceptions import ClientError

        try:
            out = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return BackupFile(key, int(out["ContentLength"]), out["LastModified"])

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def read_all(self, key: str) -> bytes:
        """The whole object (downloads small enough to answer inline)."""
        try:
            return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except self.s3.exceptions.NoSuchKey as exc:
            raise BackupNotFoundError(key) from exc

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes [start, end] of an object, both included."""
        out = self.s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
        return bytes(out["Body"].read())

    def open(self, key: str) -> IO[bytes]:
        """A seekable, buffered reader of an archive: zipfile reads its directory first, then members."""
        found = self.head(key)
        if found is None:
            raise BackupNotFoundError(key)
        from shared.backups.range_reader import RangeReader

        return io.BufferedReader(RangeReader(self, key, found.size), buffer_size=PART_BYTES)

    def put(self, key: str, body: bytes, content_type: str = "application/zip") -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def keys_under(self, prefix: str) -> tuple[str, ...]:
        """Every key under `prefix` (a job's staged parts), in key order."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return tuple(sorted(obj["Key"] for page in pages for obj in page.get("Contents", [])))

    def upload(self, key: str, upload_id: str | None = None, next_part: int = 1) -> MultipartUpload:
        """The multipart upload of `key`: a new one, or one that earlier steps started."""
        from shared.backups.multipart import MultipartUpload

        return MultipartUpload(self.s3, self.bucket, key, upload_id, next_part)

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def presigned_url(self, key: str, expires_s: int) -> str:
        signer = self.s3 if self._s3 is not None or not self.public_endpoint else \
            aws.client("s3", self.public_endpoint)
        return str(signer.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                  ExpiresIn=expires_s))

    def delete_prefix(self, prefix: str) -> None:
        """Remove a job's staged parts."""
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
