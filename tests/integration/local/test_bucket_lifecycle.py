"""The local stack's S3 lifecycle and CORS on moto: the files bucket's declared rules, applied as on AWS."""

from __future__ import annotations

import time

import httpx

from local import cloud
from local.lifecycle import DAY_S, sweep_lifecycle
from shared import resources
from shared.aws import client

BUCKET = resources.FILES_BUCKET.physical_name


def _keys() -> set[str]:
    return {o["Key"] for o in client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_unattached_uploads_expire_after_their_day_and_record_files_never(moto: cloud.MotoCloud) -> None:
    # Given a staged upload, an incomplete multipart upload under uploads/, and a record's file
    s3 = client("s3")
    s3.put_object(Bucket=BUCKET, Key="uploads/s1/a.txt", Body=b"a")
    s3.put_object(Bucket=BUCKET, Key="pbc_1/r1/a.txt", Body=b"a")
    s3.create_multipart_upload(Bucket=BUCKET, Key="uploads/s2/big.bin")
    # When the sweeper runs within the day, Then nothing goes
    assert sweep_lifecycle(time.time() + DAY_S - 60) == 0
    assert _keys() == {"uploads/s1/a.txt", "pbc_1/r1/a.txt"}
    # When it runs a day later, Then the staged upload is deleted and the multipart upload aborted, and the
    # record's file stays
    assert sweep_lifecycle(time.time() + DAY_S + 60) == 2
    assert _keys() == {"pbc_1/r1/a.txt"}
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_the_files_bucket_answers_a_browser_preflight_for_a_direct_upload(moto: cloud.MotoCloud) -> None:
    # Given the provisioned files bucket (CORS from LB_CORS_ORIGINS, "*" by default)
    # When a page's preflight for a POST reaches moto's loopback server
    response = httpx.options(f"{moto.endpoint}/{BUCKET}", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"})
    # Then it is allowed
    assert response.status_code == 200, response.text
    assert response.headers.get("access-control-allow-origin") in ("*", "http://localhost:5173")
