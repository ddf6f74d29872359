"""Direct uploads by S3 multipart on the in-process stack: presigned parts PUT to moto, complete, attach, abort."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared import resources
from shared.aws import client
from shared.files import keys
from tests.support.records_api import Api, unique

BUCKET = resources.FILES_BUCKET.physical_name
PART = 5 << 20  # S3's smallest part (all but the last)


@pytest.fixture(scope="module")
def media(api: Api) -> Iterator[dict[str, Any]]:
    yield api.create_collection({"name": unique("media"), "type": "base", "viewRule": "", "createRule": "",
                                 "fields": [{"name": "video", "type": "file", "maxSize": 64 << 20}]})


def _open(api: Api, media: dict[str, Any], size: int, role: str = "user") -> dict[str, Any]:
    return dict(api.ok("POST", "/api/files/uploads", role=role, json={
        "collection": media["name"], "field": "video", "filename": "clip.bin", "size": size,
        "multipart": True, "partSize": PART}))


def _put_parts(slot: dict[str, Any], content: bytes) -> list[dict[str, Any]]:
    size = slot["multipart"]["partSize"]
    done = []
    for part in slot["multipart"]["parts"]:
        n = part["partNumber"]
        sent = httpx.put(part["url"], content=content[(n - 1) * size:n * size])
        assert sent.status_code == 200, sent.text
        done.append({"partNumber": n, "etag": sent.headers["etag"]})
    return done


def test_a_multipart_slot_uploads_in_presigned_parts_and_attaches_byte_for_byte(api: Api, media: Any) -> None:
    # Given an 11 MiB file and a multipart slot with 5 MiB parts
    content = os.urandom(11 << 20)
    slot = _open(api, media, len(content))
    assert slot["multipart"]["partCount"] == 3 and len(slot["multipart"]["parts"]) == 3
    # When each part is PUT to its presigned URL and the upload completed (the server lists the parts)
    _put_parts(slot, content)
    completed = api.request("POST", "/api/files/uploads/complete", role="user", json={"slot": slot["slot"]})
    assert completed.status_code == 200, completed.text
    # And the slot is attached on create
    created = api.ok("POST", f"/api/collections/{media['name']}/records", role="user",
                     json={"video": slot["slot"]})
    # Then the record's file is the upload, byte for byte, and the staging object is gone
    key = keys.original_key(created["collectionId"], created["id"], created["video"])
    assert client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    assert "Contents" not in client("s3").list_objects_v2(Bucket=BUCKET, Prefix=slot["key"])


def test_parts_can_be_presigned_again_and_completed_with_their_etags(api: Api, media: Any) -> None:
    # Given a multipart slot whose part URLs a client lost
    content = os.urandom(PART + 100)
    slot = _open(api, media, len(content))
    again = api.ok("POST", "/api/files/uploads/parts", role="user",
                   json={"slot": slot["slot"], "partNumbers": [1, 2]})
    # When the parts go to the new URLs and the client completes with the ETags it got
    parts = _put_parts({**slot, "multipart": {**slot["multipart"], "parts": again["parts"]}}, content)
    api.ok("POST", "/api/files/uploads/complete", role="user", json={"slot": slot["slot"], "parts": parts})
    # Then the object is whole
    assert client("s3").head_object(Bucket=BUCKET, Key=slot["key"])["ContentLength"] == len(content)


def test_completing_with_nothing_uploaded_is_a_400(api: Api, media: Any) -> None:
    slot = _open(api, media, PART)
    response = api.request("POST", "/api/files/uploads/complete", role="user", json={"slot": slot["slot"]})
    assert response.status_code == 400 and response.json()["data"]["parts"]["code"] == "validation_invalid_parts"


def test_an_aborted_upload_leaves_nothing_and_cannot_be_attached(api: Api, media: Any) -> None:
    # Given a multipart slot with one part uploaded
    slot = _open(api, media, PART * 2)
    _put_parts({**slot, "multipart": {**slot["multipart"], "parts": slot["multipart"]["parts"][:1]}},
               os.urandom(PART))
    # When it is aborted
    api.ok("POST", "/api/files/uploads/abort", role="user", status=204, json={"slot": slot["slot"]})
    # Then S3 holds no upload for it, and attaching it finds nothing
    uploads = client("s3").list_multipart_uploads(Bucket=BUCKET, Prefix=slot["key"]).get("Uploads", [])
    assert uploads == []
    response = api.request("POST", f"/api/collections/{media['name']}/records", role="user",
                           json={"video": slot["slot"]})
    assert response.status_code == 400 and response.json()["data"]["video"]["code"] == "validation_upload_missing"


def test_another_caller_cannot_drive_a_multipart_slot(api: Api, media: Any) -> None:
    # Given a user's multipart slot
    slot = _open(api, media, PART)
    # When a guest tries to presign, complete or abort it
    for path, body in (("parts", {"slot": slot["slot"], "partNumbers": [1]}), ("complete", {"slot": slot["slot"]}),
                       ("abort", {"slot": slot["slot"]})):
        response = api.request("POST", f"/api/files/uploads/{path}", role="guest", json=body)
        # Then each is refused
        assert response.status_code == 400, (path, response.text)
        assert response.json()["data"]["slot"]["code"] == "validation_invalid_upload_slot"


def test_a_multipart_slot_needs_a_size_within_the_field_limit(api: Api, media: Any) -> None:
    response = api.request("POST", "/api/files/uploads", role="user", json={
        "collection": media["name"], "field": "video", "filename": "big.bin", "size": (64 << 20) + 1,
        "multipart": True})
    assert response.status_code == 400 and response.json()["data"]["size"]["code"] == "validation_file_size_limit"


def test_parts_beyond_the_declared_size_are_not_presigned(api: Api, media: Any) -> None:
    # Given a slot declared for two parts
    slot = _open(api, media, PART + 1)
    # When URLs for a third part are asked for
    response = api.request("POST", "/api/files/uploads/parts", role="user",
                           json={"slot": slot["slot"], "partNumbers": [3]})
    # Then they are refused: a slot stages no more than it was issued for
    assert response.status_code == 400 and "partNumbers" in response.json()["data"], response.text
