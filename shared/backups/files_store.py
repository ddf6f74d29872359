"""The files bucket as a backup sees it: objects listed, read as streams, written and deleted by key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import msgspec

from shared import aws


class StoredFile(msgspec.Struct, frozen=True):
    key: str
    size: int
    modified: datetime


class FilesStore:
    """The objects of one bucket (the deployment's files bucket)."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def objects(self) -> Iterator[StoredFile]:
        pages = aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for obj in page.get("Contents", []):
                yield StoredFile(obj["Key"], int(obj["Size"]), obj["LastModified"])

    def list_page(self, token: str | None) -> tuple[list[str], str | None]:
        """One page of keys from `token`; the keys and the token of the next page."""
        params: dict[str, Any] = {"Bucket": self.bucket, **({"ContinuationToken": token} if token else {})}
        page = aws.client("s3").list_objects_v2(**params)
        return [obj["Key"] for obj in page.get("Contents", [])], page.get("NextContinuationToken")

    def open(self, key: str) -> Any | None:
        """The object's body as a stream, None when it no longer exists."""
        s3 = aws.client("s3")
        try:
            return s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        except s3.exceptions.NoSuchKey:
            return None

    def put(self, key: str, body: IO[bytes]) -> None:
        aws.upload_fileobj(aws.client("s3"), body, self.bucket, key)

    def delete(self, keys: list[str]) -> None:
        for first in range(0, len(keys), 1000):  # DeleteObjects' limit
            aws.client("s3").delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[first:first + 1000]], "Quiet": True})
