"""A server-side copy of a large object: UploadPartCopy of byte ranges, all parts at once (storage.py says when).

A failure part-way aborts the multipart upload, so no half-copied object (nor its stored parts) is left.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

# S3 copies parts side by side; the copy takes about as long as its largest part.
MAX_PARALLEL_PARTS = 16


def part_bytes_for(size: int, min_part_bytes: int) -> int:
    """The part size that copies `size` bytes in one wave of at most MAX_PARALLEL_PARTS parts, never below
    `min_part_bytes` (S3 wants 5 MiB but for the last part)."""
    return max(min_part_bytes, -(-size // MAX_PARALLEL_PARTS))


def part_ranges(size: int, part_bytes: int) -> list[tuple[int, int]]:
    """Inclusive byte ranges of `part_bytes` each (the last one shorter) covering `size` bytes."""
    return [(start, min(start + part_bytes, size) - 1) for start in range(0, size, part_bytes)]


def copy_in_parts(s3: Any, bucket: str, source: str, dest: str, content_type: str, size: int,
                  part_bytes: int) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=dest, ContentType=content_type)["UploadId"]

    def copy_part(numbered: tuple[int, tuple[int, int]]) -> dict[str, Any]:
        number, (first, last) = numbered
        done = s3.upload_part_copy(Bucket=bucket, Key=dest, UploadId=upload_id, PartNumber=number,
                                   CopySource={"Bucket": bucket, "Key": source},
                                   CopySourceRange=f"bytes={first}-{last}")
        return {"PartNumber": number, "ETag": done["CopyPartResult"]["ETag"]}

    try:
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL_PARTS) as pool:
            parts = list(pool.map(copy_part, enumerate(part_ranges(size, part_bytes), start=1)))
        s3.complete_multipart_upload(Bucket=bucket, Key=dest, UploadId=upload_id, MultipartUpload={"Parts": parts})
    except BaseException:
        s3.abort_multipart_upload(Bucket=bucket, Key=dest, UploadId=upload_id)
        raise
