"""A write-only stream that uploads to S3 in parts, so an archive of any size is written in bounded memory."""

from __future__ import annotations

import io
from typing import Any

from shared.backups.location import PART_BYTES


class MultipartWriter(io.RawIOBase):
    """Buffers writes into parts of PART_BYTES; `close()` completes the upload, `abort()` discards it.

    Not seekable: zipfile then writes each member with a data descriptor, which a stream allows.
    """

    def __init__(self, s3: Any, bucket: str, key: str) -> None:
        super().__init__()
        self._s3, self._bucket, self._key = s3, bucket, key
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None
        self._aborted = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._buffer += view
        while len(self._buffer) >= PART_BYTES:
            self._upload_part(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(view)

    def _upload_part(self, body: bytes) -> None:
        if self._upload_id is None:
            self._upload_id = self._s3.create_multipart_upload(Bucket=self._bucket, Key=self._key,
                                                               ContentType="application/zip")["UploadId"]
        number = len(self._parts) + 1
        out = self._s3.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                   PartNumber=number, Body=body)
        self._parts.append({"ETag": out["ETag"], "PartNumber": number})

    def abort(self) -> None:
        """Discard what was uploaded: a failed job leaves no partial archive."""
        self._aborted = True
        if self._upload_id is not None:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
        super().close()

    def close(self) -> None:
        if self.closed or self._aborted:
            return
        if self._upload_id is None:
            # Small enough for one request.
            self._s3.put_object(Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer),
                                ContentType="application/zip")
        else:
            if self._buffer:
                self._upload_part(bytes(self._buffer))
            self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                               MultipartUpload={"Parts": self._parts})
        super().close()
