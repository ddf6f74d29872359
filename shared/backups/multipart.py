"""A multipart upload to S3 that a chain of job steps writes, each step resuming where the last one stopped.

Bytes are buffered and sent in parts of PART_BYTES; a step ends by `flush()`, which sends what is buffered
when it is at least S3's smallest part (5 MB), so the next step starts with an empty buffer. Only the last
part may be smaller: `complete()` sends it. The upload id and the parts sent are the state a step hands on.
"""

from __future__ import annotations

import io
from typing import Any

from shared.backups.location import PART_BYTES

MIN_PART_BYTES = 5 * 1024 * 1024


class MultipartUpload:
    """One object being uploaded in parts; `upload_id` None until the first part is sent."""

    def __init__(self, s3: Any, bucket: str, key: str, upload_id: str | None = None, next_part: int = 1) -> None:
        self._s3, self._bucket, self._key = s3, bucket, key
        self.upload_id = upload_id
        self.sent: list[dict[str, Any]] = []  # parts sent by this step: {"ETag", "PartNumber"}
        self.next_part = next_part
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._send(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]

    def _send(self, body: bytes) -> None:
        if self.upload_id is None:
            self.upload_id = self._s3.create_multipart_upload(Bucket=self._bucket, Key=self._key,
                                                              ContentType="application/zip")["UploadId"]
        out = self._s3.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self.upload_id,
                                   PartNumber=self.next_part, Body=body)
        self.sent.append({"ETag": out["ETag"], "PartNumber": self.next_part})
        self.next_part += 1

    def flush(self) -> bool:
        """Send the buffer if it can be a part of its own; False (nothing sent) while it is too small."""
        if len(self._buffer) < MIN_PART_BYTES:
            return not self._buffer
        self._send(bytes(self._buffer))
        self._buffer.clear()
        return True

    def drain(self) -> bytes:
        """Take what is buffered (a step's tail, too small for a part), leaving the buffer empty."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def complete(self, parts: list[dict[str, Any]]) -> None:
        """Send the buffer as the last part and assemble `parts` (every earlier step's) plus this step's."""
        if self.upload_id is None:
            # Small enough for one request.
            self._s3.put_object(Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer),
                                ContentType="application/zip")
            return
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self.upload_id,
                                           MultipartUpload={"Parts": [*parts, *self.sent]})

    def abort(self) -> None:
        """Discard what was uploaded: a failed job leaves no partial archive."""
        if self.upload_id is not None:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self.upload_id)


class SegmentStream(io.RawIOBase):
    """What zipfile writes one step's members into: tell() is the offset in the whole archive, seek() fails, so
    zipfile writes each member with a data descriptor and records its absolute header offset."""

    def __init__(self, upload: MultipartUpload, offset: int) -> None:
        super().__init__()
        self.upload, self.offset = upload, offset

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.offset

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.upload.write(chunk)
        self.offset += len(chunk)
        return len(chunk)
