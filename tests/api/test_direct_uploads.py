"""Direct uploads to S3 on the in-process stack: slots, presigned POSTs to moto, attach on create and update."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from shared import resources
from shared.aws import client
from shared.files import keys
from tests.support.records_api import Api, unique

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
BUCKET = resources.FILES_BUCKET.physical_name


def _exists(key: str) -> bool:
    found = client("s3").list_objects_v2(Bucket=BUCKET, Prefix=key)
    return any(obj["Key"] == key for obj in found.get("Contents", []))


def _body(key: str) -> bytes:
    return bytes(client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.fixture(scope="module")
def docs(api: Api) -> Iterator[dict[str, Any]]:
    yield api.create_collection({"name": unique("direct"), "type": "base", "listRule": "", "viewRule": "",
                                 "createRule": "@request.auth.id != ''", "updateRule": "@request.auth.id != ''",
                                 "deleteRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "documents", "type": "file", "maxSelect": 5, "maxSize": 2000},
        {"name": "avatar", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png"]}]})


def _slot(api: Api, docs: dict[str, Any], role: str = "user", **extra: Any) -> httpx.Response:
    body = {"collection": docs["name"], "field": "documents", "filename": "Report 2026.txt", **extra}
    return api.request("POST", "/api/files/uploads", role=role, json=body)


def _post_upload(slot: dict[str, Any], content: bytes) -> httpx.Response:
    """What a browser does with the slot: a form POST straight to S3 (moto's loopback server here)."""
    post = slot["post"]
    return httpx.post(post["url"], data=post["fields"], files={"file": ("blob", content)})


def _uploaded(api: Api, docs: dict[str, Any], content: bytes, role: str = "user", **extra: Any) -> dict[str, Any]:
    response = _slot(api, docs, role, **extra)
    assert response.status_code == 200, response.text
    slot = response.json()
    sent = _post_upload(slot, content)
    assert sent.status_code in (200, 201, 204), sent.text
    return dict(slot)


def test_a_slot_is_a_presigned_post_to_its_own_staging_key_within_the_field_limit(api: Api, docs: Any) -> None:
    # Given a signed-in user allowed to create records
    # When they ask for a slot for the documents field
    response = _slot(api, docs)
    # Then it names a key under uploads/, the field's maxSize, and a POST whose signed fields pin that key
    assert response.status_code == 200, response.text
    slot = response.json()
    assert slot["slot"].startswith("upload:") and slot["key"].startswith(keys.UPLOADS_PREFIX)
    assert slot["maxSize"] == 2000 and slot["post"]["fields"]["key"] == slot["key"]
    # SigV4: S3 refuses SigV2 for buckets created since 2020
    assert {"policy", "x-amz-algorithm", "x-amz-signature"} <= set(slot["post"]["fields"]), slot["post"]


@pytest.mark.parametrize(("extra", "status", "where"), [
    ({"field": "title"}, 400, "field"),
    ({"field": "nope"}, 400, "field"),
    ({"size": 2001}, 400, "size"),
    ({"field": "avatar", "contentType": "text/plain"}, 400, "contentType"),
    ({"multipart": True}, 400, "size"),
    ({"filename": ""}, 400, "filename"),
    ({"record": "missingrecord12"}, 404, None),
])
def test_a_slot_request_that_cannot_succeed_is_refused_in_pocketbase_shape(
        api: Api, docs: Any, extra: dict[str, Any], status: int, where: str | None) -> None:
    # Given a slot request with one thing wrong
    # When it is sent
    response = _slot(api, docs, **extra)
    # Then it is refused with PocketBase's error shape, naming what is wrong
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "message", "data"} and body["status"] == status
    if where:
        assert where in body["data"], body


def test_a_null_create_rule_gives_slots_to_superusers_only(api: Api) -> None:
    # Given a collection whose create rule is null
    locked = api.create_collection({"name": unique("locked"), "type": "base", "fields": [
        {"name": "documents", "type": "file"}]})
    body = {"collection": locked["name"], "field": "documents", "filename": "a.txt"}
    # When a user and a superuser ask for a slot
    refused = api.request("POST", "/api/files/uploads", role="user", json=body)
    granted = api.request("POST", "/api/files/uploads", json=body)
    # Then the user gets PocketBase's 403 and the superuser a slot
    assert refused.status_code == 403 and refused.json()["message"] == "Only superusers can perform this action."
    assert granted.status_code == 200, granted.text


def test_an_update_slot_follows_the_update_rule_on_the_record(api: Api, docs: Any) -> None:
    # Given a record, and a guest (the update rule needs a signed-in caller)
    record = api.create_record(docs["name"], {"title": "ruled"})
    # When the guest and the user ask for a slot for it
    guest = _slot(api, docs, role="guest", record=record["id"])
    user = _slot(api, docs, record=record["id"])
    # Then the guest is told the record is not found, the user gets the slot
    assert guest.status_code == 404 and user.status_code == 200, (guest.text, user.text)


def test_an_unknown_collection_is_not_found(api: Api) -> None:
    response = api.request("POST", "/api/files/uploads", json={"collection": "nope", "field": "f", "filename": "a"})
    assert response.status_code == 404 and response.json()["message"] == "Missing or invalid collection context."


def test_an_upload_attached_on_create_is_copied_to_the_record_and_leaves_staging(api: Api, docs: Any) -> None:
    # Given a file uploaded straight to S3 through a slot
    slot = _uploaded(api, docs, b"hello direct world")
    # When a JSON create names the slot
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           json={"title": "t", "documents": [slot["slot"]]})
    # Then the record holds a PocketBase stored name, its bytes sit at the record's key with the sniffed type,
    # and the staging object is gone
    assert response.status_code == 200, response.text
    record = response.json()
    [name] = record["documents"]
    assert name.startswith("report_2026_") and name.endswith(".txt")
    key = keys.original_key(record["collectionId"], record["id"], name)
    assert _body(key) == b"hello direct world"
    assert client("s3").head_object(Bucket=BUCKET, Key=key)["ContentType"] == "text/plain; charset=utf-8"
    assert not _exists(slot["key"])
    served = api.request("GET", f"/api/files/{docs['name']}/{record['id']}/{name}", role="guest")
    assert served.status_code == 200 and served.content == b"hello direct world"


def test_an_upload_attached_by_a_multipart_update_appends_to_the_field(api: Api, docs: Any) -> None:
    # Given a record with one file, and a slot for that record
    created = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                          files=[("documents", ("first.txt", b"one"))])
    assert created.status_code == 200, created.text
    record = created.json()
    slot = _uploaded(api, docs, PNG, record=record["id"], filename="pixel")
    # When a multipart update sends the slot under `documents+`
    updated = api.request("PATCH", f"/api/collections/{docs['name']}/records/{record['id']}", role="user",
                          data={"documents+": slot["slot"]})
    # Then both files are on the record, the new one named from its content's type
    assert updated.status_code == 200, updated.text
    first, second = updated.json()["documents"]
    assert first == record["documents"][0] and second.startswith("pixel_") and second.endswith(".png")
    assert _body(keys.original_key(record["collectionId"], record["id"], second)) == PNG


def _refusal(response: httpx.Response, field: str) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] in ("Failed to create record.", "Failed to update record."), body
    return str(body["data"][field]["code"])


def test_an_oversized_upload_is_refused_on_attach_and_deleted(api: Api, docs: Any) -> None:
    # Given an upload larger than maxSize (moto does not enforce the POST policy's content-length-range)
    slot = _uploaded(api, docs, b"x" * 2001)
    # When it is attached
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           json={"documents": slot["slot"]})
    # Then PocketBase's size error answers, and the upload is gone
    assert _refusal(response, "documents") == "validation_file_size_limit"
    assert not _exists(slot["key"])


def test_an_upload_of_a_disallowed_type_is_refused_on_attach_and_deleted(api: Api, docs: Any) -> None:
    # Given text uploaded to an avatar slot (images only), the client claiming nothing
    slot = _uploaded(api, docs, b"not an image", field="avatar", filename="face.png")
    # When it is attached
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           json={"avatar": slot["slot"]})
    # Then the sniffed type is refused, whatever the name says, and the upload deleted
    assert _refusal(response, "avatar") == "validation_invalid_mime_type"
    assert not _exists(slot["key"])


def test_a_slot_with_nothing_uploaded_is_refused(api: Api, docs: Any) -> None:
    slot = _slot(api, docs).json()
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           json={"documents": slot["slot"]})
    assert _refusal(response, "documents") == "validation_upload_missing"


def test_a_slot_is_only_good_for_its_collection_field_record_and_user(api: Api, docs: Any) -> None:
    # Given an upload in a slot the user asked for, for a new record's documents
    api.sign_up_user("other")
    slot = _uploaded(api, docs, b"mine")
    other = api.create_collection({"name": unique("other"), "type": "base", "createRule": "", "fields": [
        {"name": "documents", "type": "file", "maxSelect": 5, "maxSize": 2000}]})
    record = api.create_record(docs["name"], {"title": "existing"})
    attempts = [
        ("other", "POST", f"/api/collections/{docs['name']}/records", {"documents": slot["slot"]}),
        ("user", "POST", f"/api/collections/{other['name']}/records", {"documents": slot["slot"]}),
        ("user", "POST", f"/api/collections/{docs['name']}/records", {"avatar": slot["slot"]}),
        ("user", "PATCH", f"/api/collections/{docs['name']}/records/{record['id']}", {"documents": slot["slot"]}),
        ("user", "POST", f"/api/collections/{docs['name']}/records", {"documents": "upload:forged.token.value"}),
    ]
    for role, method, path, body in attempts:
        # When another user, collection, field, an existing record, or a forged token uses it
        response = api.request(method, path, role=role, json=body)
        # Then each is refused, and the upload stays for its owner
        field = next(iter(body))
        assert _refusal(response, field) == "validation_invalid_upload_slot", (role, path, body)
    assert _exists(slot["key"])
    ok = api.request("POST", f"/api/collections/{docs['name']}/records", role="user", json={"documents": slot["slot"]})
    assert ok.status_code == 200, ok.text


def test_an_expired_slot_is_refused(api: Api, docs: Any) -> None:
    # Given an upload in a genuine slot, and the same slot sealed again with its deadline passed (the
    # deployment's own signer: the token a client would hold once the deadline is gone)
    from msgspec.structs import replace

    from shared.files.slots import process_signer

    slot = _uploaded(api, docs, b"late")
    signer = process_signer()
    expired = signer.seal(replace(signer.open(slot["slot"]), expires=int(time.time()) - 1))
    # When it is attached
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           json={"documents": expired})
    # Then it is refused as expired, and the upload is left for the lifecycle rule
    assert _refusal(response, "documents") == "validation_upload_slot_expired"
    assert _exists(slot["key"])


def _keys(prefix: str) -> set[str]:
    pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def test_a_failed_commit_deletes_the_copy_and_keeps_the_upload_for_a_retry(api: Api) -> None:
    # Given a collection whose titles are unique, one title taken, and an upload for a create repeating it
    name = unique("uniq")
    notes = api.create_collection({"name": name, "type": "base", "createRule": "", "fields": [
        {"name": "title", "type": "text"}, {"name": "documents", "type": "file", "maxSelect": 2}],
        "indexes": [f"CREATE UNIQUE INDEX idx_title_{name} ON {name} (title)"]})
    api.create_record(name, {"title": "taken"})
    slot = _uploaded(api, {"name": name}, b"retry me", role="guest")
    before = _keys(f"{notes['id']}/")
    # When the create fails on the unique title
    response = api.request("POST", f"/api/collections/{name}/records", role="guest",
                           json={"title": "taken", "documents": slot["slot"]})
    # Then no copy is left under the collection, the upload stays, and a retry attaches it
    assert response.status_code == 400, response.text
    assert _keys(f"{notes['id']}/") == before and _exists(slot["key"])
    retried = api.request("POST", f"/api/collections/{name}/records", role="guest",
                          json={"title": "fresh", "documents": slot["slot"]})
    assert retried.status_code == 200, retried.text
    record = retried.json()
    assert _keys(f"{notes['id']}/") == {keys.original_key(notes["id"], record["id"], record["documents"][0])}
    assert not _exists(slot["key"])


def test_a_slot_token_in_a_multipart_body_attaches_beside_an_uploaded_part(api: Api, docs: Any) -> None:
    # Given one file uploaded to S3 and one sent in the request itself
    slot = _uploaded(api, docs, b"from s3")
    # When a multipart create carries the token as a text part of the same field as the file part
    response = api.request("POST", f"/api/collections/{docs['name']}/records", role="user",
                           data={"documents": slot["slot"]}, files=[("documents", ("inline.txt", b"inline"))])
    # Then both are the record's files, the attached one first (names before files, as PocketBase merges them)
    assert response.status_code == 200, response.text
    record = response.json()
    attached, inline = record["documents"]
    assert attached.startswith("report_2026_") and inline.startswith("inline_")
    assert _body(keys.original_key(record["collectionId"], record["id"], attached)) == b"from s3"


def test_a_batch_create_attaches_its_slot(api: Api, docs: Any) -> None:
    # Given an upload in a slot for a new record
    slot = _uploaded(api, docs, b"batched")
    # When a batch creates the record naming the slot
    response = api.request("POST", "/api/batch", role="user", json={"requests": [
        {"method": "POST", "url": f"/api/collections/{docs['name']}/records",
         "body": {"title": "batched", "documents": [slot["slot"]]}}]})
    # Then the record holds the file and the staging object is gone
    assert response.status_code == 200, response.text
    [created] = response.json()
    record = created["body"]
    assert _body(keys.original_key(record["collectionId"], record["id"], record["documents"][0])) == b"batched"
    assert not _exists(slot["key"])


def test_a_create_rule_on_the_caller_alone_is_judged_at_slot_time(api: Api, docs: Any) -> None:
    # Given a create rule that needs a signed-in caller, When a guest asks for a slot
    response = _slot(api, docs, role="guest")
    # Then it is refused at once rather than on attach
    assert response.status_code == 403, response.text
    assert response.json()["message"] == "The collection's create rule does not allow you to upload."


def test_a_create_rule_on_the_body_waits_for_the_attaching_create(api: Api) -> None:
    # Given a create rule that reads the body
    name = unique("bodyrule")
    api.create_collection({"name": name, "type": "base", "createRule": "@request.body.title = 'ok'", "fields": [
        {"name": "title", "type": "text"}, {"name": "documents", "type": "file"}]})
    # When a guest asks for a slot, uploads, and attaches with a body the rule refuses, then one it admits
    slot = _uploaded(api, {"name": name}, b"ruled", role="guest")
    refused = api.request("POST", f"/api/collections/{name}/records", role="guest",
                          json={"title": "no", "documents": slot["slot"]})
    admitted = api.request("POST", f"/api/collections/{name}/records", role="guest",
                           json={"title": "ok", "documents": slot["slot"]})
    # Then the slot was granted, the rule refused the first create and admitted the second
    assert refused.status_code == 400 and refused.json()["message"] == "Failed to create record.", refused.text
    assert admitted.status_code == 200, admitted.text


def test_a_direct_jpeg_upload_is_stored_without_its_exif_but_with_its_orientation(api: Api, docs: Any) -> None:
    # Given a JPEG with a camera make, GPS-like metadata and a rotation, uploaded straight to S3
    exif = Image.Exif()
    exif[0x010F], exif[0x0112] = "Cam", 6
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "blue").save(out, "JPEG", exif=exif.tobytes())
    slot = _uploaded(api, docs, out.getvalue(), filename="photo.jpg")
    # When it is attached
    record = api.ok("POST", f"/api/collections/{docs['name']}/records", role="user",
                    json={"documents": [slot["slot"]]})
    # Then the stored image keeps only its orientation, as a request upload would
    stored = _body(keys.original_key(record["collectionId"], record["id"], record["documents"][0]))
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {0x0112: 6}
