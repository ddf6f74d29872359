"""File fields through the records API on the in-process stack: uploads stored on S3 with the record, atomically."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from shared import resources
from shared.aws import client
from shared.files import keys
from tests.support.records_api import Api, unique

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _objects(prefix: str) -> dict[str, dict[str, Any]]:
    s3 = client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=resources.FILES_BUCKET.physical_name, Prefix=prefix)
    found: dict[str, dict[str, Any]] = {}
    for page in pages:
        for obj in page.get("Contents", []):
            try:
                head = s3.head_object(Bucket=resources.FILES_BUCKET.physical_name, Key=obj["Key"])
            except s3.exceptions.ClientError as exc:
                # deleted between the listing and the head (a cleanup job running meanwhile): gone, as listed next
                if exc.response["Error"]["Code"] == "404":
                    continue
                raise
            found[obj["Key"].removeprefix(prefix)] = {"size": obj["Size"], "type": head["ContentType"]}
    return found


def _body(key: str) -> bytes:
    got = client("s3").get_object(Bucket=resources.FILES_BUCKET.physical_name, Key=key)
    return bytes(got["Body"].read())


@pytest.fixture(scope="module")
def docs(api: Api) -> Iterator[dict[str, Any]]:
    yield api.create_collection({"name": unique("docs"), "type": "base", "listRule": "", "viewRule": "",
                                 "createRule": "", "updateRule": "", "deleteRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "documents", "type": "file", "maxSelect": 5, "maxSize": 1000},
        {"name": "avatar", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png", "image/jpeg"]}]})


def _create(api: Api, docs: dict[str, Any], files: list[tuple[str, tuple[str, bytes]]],
            data: dict[str, str] | None = None) -> Any:
    return api.request("POST", f"/api/collections/{docs['name']}/records", data=data or {}, files=files)


def test_a_multipart_create_stores_every_file_under_the_record_with_its_sniffed_type(api: Api, docs: Any) -> None:
    # Given two documents and an avatar sent as multipart parts
    files = [("documents", ("My Notes.txt", b"hello")), ("documents", ("data", b'{"a": 1}')),
             ("avatar", ("face.bin", PNG))]
    # When the record is created
    response = _create(api, docs, files, {"title": "t"})
    # Then the record names them as PocketBase does and each object sits under the record's prefix
    assert response.status_code == 200, response.text
    record = response.json()
    first, second = record["documents"]
    assert first.startswith("my_notes_") and first.endswith(".txt") and len(first) == len("my_notes_") + 14
    assert second.startswith("data_") and second.endswith(".json")
    assert record["avatar"].startswith("face_") and record["avatar"].endswith(".bin")
    stored = _objects(keys.record_prefix(docs["id"], record["id"]))
    assert stored == {first: {"size": 5, "type": "text/plain; charset=utf-8"},
                      second: {"size": 8, "type": "application/json"},
                      record["avatar"]: {"size": len(PNG), "type": "image/png"}}


def test_append_remove_and_keep_list_delete_exactly_the_dropped_files(api: Api, docs: Any) -> None:
    # Given a record with two documents
    record = _create(api, docs, [("documents", ("a.txt", b"aaa")), ("documents", ("b.txt", b"bbb"))]).json()
    a, b = record["documents"]
    path = f"/api/collections/{docs['name']}/records/{record['id']}"
    prefix = keys.record_prefix(docs["id"], record["id"])
    # When a file is appended with `documents+` and one removed with `documents-`
    updated = api.ok("PATCH", path, data={"documents-": a}, files=[("documents+", ("third.txt", b"ccc"))])
    # Then the record and the bucket hold exactly b and the new c
    b_kept, c = updated["documents"]
    assert b_kept == b and c.startswith("third_")
    assert set(_objects(prefix)) == {b, c}
    # When the list of names to keep is sent
    kept = api.ok("PATCH", path, json={"documents": [c]})
    # Then the rest is removed, from the record and the bucket
    assert kept["documents"] == [c] and set(_objects(prefix)) == {c}
    # When the field is cleared
    assert api.ok("PATCH", path, json={"documents": []})["documents"] == []
    assert _objects(prefix) == {}


def test_replacing_a_single_file_deletes_the_old_one_and_its_thumbs(api: Api, docs: Any) -> None:
    # Given a record with an avatar that has a thumb
    record = _create(api, docs, [("avatar", ("one.png", PNG))]).json()
    old = record["avatar"]
    client("s3").put_object(Bucket=resources.FILES_BUCKET.physical_name, Body=b"thumb",
                            Key=keys.thumb_key(docs["id"], record["id"], old, "100x100"))
    # When a new avatar is uploaded
    updated = api.ok("PATCH", f"/api/collections/{docs['name']}/records/{record['id']}",
                     files=[("avatar", ("two.png", PNG))])
    # Then only the new avatar remains
    assert updated["avatar"] != old and updated["avatar"].startswith("two_")
    assert set(_objects(keys.record_prefix(docs["id"], record["id"]))) == {updated["avatar"]}


def test_deleting_a_record_deletes_its_files(api: Api, docs: Any) -> None:
    # Given a record with a document
    record = _create(api, docs, [("documents", ("a.txt", b"aaa"))]).json()
    # When it is deleted
    api.ok("DELETE", f"/api/collections/{docs['name']}/records/{record['id']}", status=204)
    # Then nothing of it remains in the bucket
    assert _objects(keys.record_prefix(docs["id"], record["id"])) == {}


@pytest.mark.parametrize(("files", "field", "code"), [
    ([("documents", ("big.txt", b"x" * 1001))], "documents", "validation_file_size_limit"),
    ([("avatar", ("fake.png", b"plain text"))], "avatar", "validation_invalid_mime_type"),
    ([("documents", (f"{i}.txt", b"x")) for i in range(6)], "documents", "validation_too_many_files"),
])
def test_a_refused_upload_answers_400_and_stores_nothing(api: Api, docs: Any, files: Any, field: str,
                                                         code: str) -> None:
    # Given the bucket's objects of the collection before
    before = _objects(f"{docs['id']}/")
    # When a create sends a file the field refuses
    response = _create(api, docs, files)
    # Then it answers PocketBase's 400 with the field's code, and the bucket is unchanged
    assert response.status_code == 400, response.text
    assert response.json()["data"][field]["code"] == code
    assert _objects(f"{docs['id']}/") == before


def test_a_submitted_name_that_is_no_existing_file_is_refused(api: Api, docs: Any) -> None:
    # When a create names a file instead of uploading it
    response = api.request("POST", f"/api/collections/{docs['name']}/records", json={"documents": ["x.txt"]})
    # Then PocketBase's invalid-file error answers
    assert response.status_code == 400
    assert response.json()["data"]["documents"]["code"] == "validation_invalid_file"


def test_jpeg_exif_is_stripped_but_the_orientation_kept(api: Api, docs: Any) -> None:
    # Given a JPEG with GPS-like metadata and an orientation
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    Image.new("RGB", (4, 2), "red").save(out, "JPEG", exif=exif.tobytes())
    # When it is uploaded
    record = _create(api, docs, [("avatar", ("photo.jpg", out.getvalue()))]).json()
    # Then the stored image has only the orientation left
    stored = Image.open(io.BytesIO(_body(keys.original_key(docs["id"], record["id"], record["avatar"]))))
    assert dict(stored.getexif()) == {0x0112: 6}
    assert stored.size == (4, 2)


def test_a_body_above_lambdas_6_mb_is_api_gateways_413_and_stores_nothing(api: Api, docs: Any) -> None:
    # Given a multipart body a little over Lambda's 6 MB request limit
    before = _objects(f"{docs['id']}/")
    # When it is sent
    response = _create(api, docs, [("documents", ("huge.bin", b"x" * (6 * 1024 * 1024 + 1)))])
    # Then the gateway answers its own 413 before any function runs, and nothing is stored
    assert response.status_code == 413
    assert _objects(f"{docs['id']}/") == before


def test_a_multipart_batch_uploads_each_requests_files_and_a_refused_one_stores_nothing(api: Api, docs: Any) -> None:
    import json

    # Given a batch creating two records, its files as `requests.N.field` parts
    payload = {"requests": [
        {"method": "POST", "url": f"/api/collections/{docs['name']}/records", "body": {"title": "one"}},
        {"method": "POST", "url": f"/api/collections/{docs['name']}/records", "body": {"title": "two"}}]}
    files = [("requests.0.documents", ("first.txt", b"1")), ("requests[1].avatar", ("pic.png", PNG))]
    # When it is sent
    done = api.ok("POST", "/api/batch", data={"@jsonPayload": json.dumps(payload)}, files=files)
    # Then each record holds its file, stored under its own prefix
    first, second = (item["body"] for item in done)
    assert first["documents"][0].startswith("first_") and second["avatar"].startswith("pic_")
    assert set(_objects(keys.record_prefix(docs["id"], first["id"]))) == set(first["documents"])
    assert set(_objects(keys.record_prefix(docs["id"], second["id"]))) == {second["avatar"]}
    # When a later request of a batch is refused after an earlier one's upload
    before = _objects(f"{docs['id']}/")
    refused = api.request("POST", "/api/batch", data={"@jsonPayload": json.dumps(payload)}, files=[
        ("requests.0.documents", ("ok.txt", b"1")), ("requests.1.avatar", ("fake.png", b"text"))])
    # Then the batch fails whole and the earlier request's file is gone again
    assert refused.status_code == 400
    assert refused.json()["data"]["requests"]["1"]["response"]["data"]["avatar"]["code"] == \
        "validation_invalid_mime_type"
    assert _objects(f"{docs['id']}/") == before


def test_a_cascade_delete_deletes_the_files_of_the_records_it_deletes(api: Api, docs: Any) -> None:
    # Given a record with a file that cascades from a parent record
    parents = api.create_collection({"name": unique("parents"), "type": "base"})
    children = api.create_collection({"name": unique("children"), "type": "base", "fields": [
        {"name": "parent", "type": "relation", "collectionId": parents["id"], "maxSelect": 1,
         "cascadeDelete": True},
        {"name": "attachment", "type": "file", "maxSelect": 1}]})
    parent = api.create_record(parents["name"], {})
    child = api.ok("POST", f"/api/collections/{children['name']}/records", data={"parent": parent["id"]},
                   files=[("attachment", ("note.txt", b"n"))])
    assert set(_objects(keys.record_prefix(children["id"], child["id"]))) == {child["attachment"]}
    # When the parent is deleted
    api.ok("DELETE", f"/api/collections/{parents['name']}/records/{parent['id']}", status=204)
    # Then the cascaded child is gone, and its file with it
    assert api.request("GET", f"/api/collections/{children['name']}/records/{child['id']}").status_code == 404
    assert _objects(keys.record_prefix(children["id"], child["id"])) == {}
