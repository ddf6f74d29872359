"""The server-side copy of an attached upload on moto: one CopyObject, and part by part, all at once, above 256 MiB."""

from __future__ import annotations

import os

from local import cloud
from shared import resources
from shared.aws import client
from shared.files.multipart_copy import MAX_PARALLEL_PARTS, part_bytes_for, part_ranges
from shared.files.storage import S3FileStorage

BUCKET = resources.FILES_BUCKET.physical_name


def test_ranges_cover_the_object_exactly() -> None:
    assert part_ranges(10, 4) == [(0, 3), (4, 7), (8, 9)]
    assert part_ranges(8, 4) == [(0, 3), (4, 7)]


def test_the_largest_file_copies_in_one_wave_of_parts() -> None:
    # PocketBase's ~8 GB: 16 parts of 512 MiB, copied side by side; a 300 MiB file: 5 parts of at least 64 MiB
    size_8gb = 8 << 30
    assert part_bytes_for(size_8gb, 64 << 20) == 512 << 20
    assert len(part_ranges(size_8gb, part_bytes_for(size_8gb, 64 << 20))) == MAX_PARALLEL_PARTS
    assert len(part_ranges(300 << 20, part_bytes_for(300 << 20, 64 << 20))) == 5


def test_an_object_above_the_copy_limit_is_copied_in_parts_byte_for_byte(moto: cloud.MotoCloud) -> None:
    # Given an 11 MiB staging object and a storage whose CopyObject limit is lowered to 6 MiB (256 MiB on S3)
    content = os.urandom(11 << 20)
    client("s3").put_object(Bucket=BUCKET, Key="uploads/s1/big.bin", Body=content)
    storage = S3FileStorage(BUCKET, copy_object_max_bytes=6 << 20, copy_part_bytes=5 << 20)
    # When it is copied to a record's key
    storage.copy("uploads/s1/big.bin", "pbc_1/r1/big_abc.bin", "application/octet-stream", len(content))
    # Then the copy is whole, typed, and no multipart upload is left open
    got = client("s3").get_object(Bucket=BUCKET, Key="pbc_1/r1/big_abc.bin")
    assert got["Body"].read() == content and got["ContentType"] == "application/octet-stream"
    assert client("s3").list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_small_object_is_one_copy_with_the_new_type(moto: cloud.MotoCloud) -> None:
    client("s3").put_object(Bucket=BUCKET, Key="uploads/s2/a.png", Body=b"abc", ContentType="text/plain")
    S3FileStorage(BUCKET).copy("uploads/s2/a.png", "pbc_1/r2/a.png", "image/png", 3)
    assert client("s3").head_object(Bucket=BUCKET, Key="pbc_1/r2/a.png")["ContentType"] == "image/png"


def test_reading_the_head_of_an_object_is_a_ranged_get(moto: cloud.MotoCloud) -> None:
    client("s3").put_object(Bucket=BUCKET, Key="uploads/s3/t.txt", Body=b"0123456789")
    storage = S3FileStorage(BUCKET)
    assert storage.read_head("uploads/s3/t.txt", 4) == b"0123"
    assert storage.read_head("uploads/s3/missing", 4) is None
