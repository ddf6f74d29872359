"""Serving record files over HTTP in-process: headers, thumbs stored once, 304, redirects, protected files."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from shared import resources
from shared.app_settings import provider
from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK
from shared.aws import client
from shared.files import keys
from tests.support.files_world import attach, files_storage, image
from tests.support.records_api import Api, unique

pytestmark = pytest.mark.api


@pytest.fixture(scope="module")
def docs(api: Api) -> dict[str, Any]:
    """A collection with a public and a protected file field, one record owned by "user", files attached."""
    name = unique("docs")
    owner = api.sign_up_user("owner")
    api.sign_up_user("stranger")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "owner = @request.auth.id",
                           "fields": [{"name": "owner", "type": "text"},
                                      {"name": "pub", "type": "file", "maxSelect": 5, "thumbs": ["50x30", "30x50t",
                                                                                                 "40x40f", "0x20"]},
                                      {"name": "priv", "type": "file", "maxSelect": 1, "protected": True}]})
    record = api.create_record(name, {"owner": owner["id"]})
    png, txt = image("PNG", 200, 100), b"plain words"
    collection_id = attach(name, record["id"], "pub", {"a.png": (png, "image/png"), "b.txt": (txt, "text/plain"),
                                                       "c.jpg": (image("JPEG", 120, 80), "image/jpeg"),
                                                       "d.png": (b"not an image", "image/png")})
    attach(name, record["id"], "priv", {"p.png": (png, "image/png")})
    return {"name": name, "id": record["id"], "collection_id": collection_id, "png": png, "txt": txt}


def url(docs: dict[str, Any], filename: str) -> str:
    return f"/api/files/{docs['name']}/{docs['id']}/{filename}"


def size_of(body: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(body)).size


def test_an_image_is_served_inline_with_pocketbases_headers(api: Api, docs: dict[str, Any]) -> None:
    # When a guest downloads the png, plainly and with ?download=1
    plain = api.request("GET", url(docs, "a.png"), role="guest")
    attached = api.request("GET", url(docs, "a.png"), role="guest", params={"download": "1"})
    # Then the bytes are the original's, inline then as an attachment, cacheable for 30 days
    assert plain.status_code == 200 and plain.content == docs["png"]
    assert plain.headers["content-type"] == "image/png"
    assert plain.headers["content-disposition"] == 'inline; filename="a.png"'
    assert plain.headers["cache-control"] == "max-age=2592000, stale-while-revalidate=86400"
    assert plain.headers["content-security-policy"].startswith("default-src 'none'")
    assert plain.headers["etag"]
    assert attached.headers["content-disposition"] == 'attachment; filename="a.png"'


def test_a_non_media_file_is_always_an_attachment(api: Api, docs: dict[str, Any]) -> None:
    response = api.request("GET", url(docs, "b.txt"), role="guest", params={"thumb": "50x30"})
    assert response.status_code == 200 and response.content == docs["txt"]
    assert response.headers["content-disposition"] == 'attachment; filename="b.txt"'


@pytest.mark.parametrize(("thumb", "expected"), [("100x100", (100, 100)), ("50x30", (50, 30)), ("30x50t", (30, 50)),
                                                  ("40x40f", (40, 20)), ("0x20", (40, 20))])
def test_a_listed_thumb_size_serves_a_thumb_of_that_geometry(api: Api, docs: dict[str, Any], thumb: str,
                                                             expected: tuple[int, int]) -> None:
    response = api.request("GET", url(docs, "a.png"), role="guest", params={"thumb": thumb})
    assert response.status_code == 200
    assert size_of(response.content) == expected
    assert response.headers["content-disposition"] == f'inline; filename="{thumb}_a.png"'


def test_a_thumb_is_stored_once_and_then_served_from_the_bucket(api: Api, docs: dict[str, Any]) -> None:
    # Given a first thumb request
    key = keys.thumb_key(docs["collection_id"], docs["id"], "c.jpg", "50x30")
    first = api.request("GET", url(docs, "c.jpg"), role="guest", params={"thumb": "50x30"})
    stored = files_storage().get(key)
    # When it is asked again
    again = api.request("GET", url(docs, "c.jpg"), role="guest", params={"thumb": "50x30"})
    # Then the JPEG thumb was stored under PocketBase's key, and the second answer is those stored bytes
    assert stored is not None and stored.content_type == "image/jpeg"
    assert first.content == again.content == stored.body
    assert first.headers["etag"] == again.headers["etag"] == stored.etag


@pytest.mark.parametrize("thumb", ["10x10", "abc", "0x0", "50x30x"])
def test_an_unlisted_or_invalid_size_serves_the_original(api: Api, docs: dict[str, Any], thumb: str) -> None:
    response = api.request("GET", url(docs, "a.png"), role="guest", params={"thumb": thumb})
    assert response.status_code == 200 and response.content == docs["png"]


def test_an_undecodable_image_falls_back_to_the_original(api: Api, docs: dict[str, Any]) -> None:
    response = api.request("GET", url(docs, "d.png"), role="guest", params={"thumb": "50x30"})
    assert response.status_code == 200 and response.content == b"not an image"


def test_a_matching_if_none_match_answers_304(api: Api, docs: dict[str, Any]) -> None:
    etag = api.request("GET", url(docs, "a.png"), role="guest").headers["etag"]
    cached = api.request("GET", url(docs, "a.png"), role="guest", headers={"If-None-Match": etag})
    stale = api.request("GET", url(docs, "a.png"), role="guest", headers={"If-None-Match": '"other"'})
    assert cached.status_code == 304 and cached.content == b""
    assert stale.status_code == 200


@pytest.mark.parametrize(("path", "message"), [
    ("/api/files/nope/{id}/a.png", "Missing or invalid collection context."),
    ("/api/files/{name}/nope/a.png", "The requested resource wasn't found."),
    ("/api/files/{name}/{id}/missing.png", "The requested resource wasn't found."),
])
def test_missing_collection_record_or_file_is_pocketbases_404(api: Api, docs: dict[str, Any], path: str,
                                                              message: str) -> None:
    response = api.request("GET", path.format(name=docs["name"], id=docs["id"]), role="guest")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": message, "data": {}}


def test_an_object_not_named_in_the_record_is_a_404(api: Api, docs: dict[str, Any]) -> None:
    # Given an object in the record's folder that its field does not list
    files_storage().put(keys.original_key(docs["collection_id"], docs["id"], "stray.png"), docs["png"], "image/png")
    assert api.request("GET", url(docs, "stray.png"), role="guest").status_code == 404


def test_a_protected_file_needs_a_file_token_whose_owner_passes_the_view_rule(api: Api,
                                                                              docs: dict[str, Any]) -> None:
    owner_token = api.ok("POST", "/api/files/token", role="owner")["token"]
    stranger_token = api.ok("POST", "/api/files/token", role="stranger")["token"]
    superuser_token = api.ok("POST", "/api/files/token")["token"]
    # Then the owner's and a superuser's file tokens download it
    for token in (owner_token, superuser_token):
        response = api.request("GET", url(docs, "p.png"), role="guest", params={"token": token})
        assert response.status_code == 200 and response.content == docs["png"]
    # And without a token, with another user's, with an auth token or the owner's Authorization: PocketBase's 404
    refused = [api.request("GET", url(docs, "p.png"), role="guest", params={"token": t})
               for t in ("", "garbage", stranger_token, api.tokens["owner"])]
    refused.append(api.request("GET", url(docs, "p.png"), role="owner"))
    for response in refused:
        assert response.status_code == 404
        assert response.json()["message"] == "The requested resource wasn't found."


def test_the_file_token_endpoint_requires_an_auth_record(api: Api) -> None:
    response = api.request("POST", "/api/files/token", role="guest")
    assert response.status_code == 401


def test_head_answers_the_gets_headers_without_a_body(api: Api, docs: dict[str, Any]) -> None:
    response = api.request("HEAD", url(docs, "a.png"), role="guest")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(docs["png"]))
    assert response.headers["content-disposition"] == 'inline; filename="a.png"'


def test_a_large_file_redirects_to_s3_and_a_client_without_redirects_still_gets_small_ones(
        api: Api, docs: dict[str, Any]) -> None:
    # Given a file over the 4 MiB direct-delivery threshold in the record
    large = bytes(range(256)) * (4 * 4096 + 1)
    attach(docs["name"], docs["id"], "pub", {"big.bin": (large, "application/pdf")})
    # When a client that does not follow redirects asks for it and for the small png
    big = api.request("GET", url(docs, "big.bin"), role="guest", params={"download": "1"})
    small = api.request("GET", url(docs, "a.png"), role="guest")
    followed = httpx.get(big.headers.get("location", "http://127.0.0.1:9/"))
    # (the folder's stack is shared: a large object would make later backups of its bucket large too)
    files_storage().delete_many([keys.original_key(docs["collection_id"], docs["id"], "big.bin")])
    # Then the large one is a 302 to a presigned S3 URL (moto on loopback) holding its bytes, the small one a body
    assert big.status_code == 302 and big.headers["cache-control"] == "no-store"
    assert followed.status_code == 200 and followed.content == large
    assert followed.headers["content-disposition"] == 'attachment; filename="big.bin"'
    assert small.status_code == 200 and small.content == docs["png"]


def test_the_view_rule_sees_the_protected_file_context(api: Api) -> None:
    # Given a collection whose view rule admits signed-in callers only when serving a protected file
    name = unique("ctx")
    api.create_collection({"name": name, "type": "base",
                           "viewRule": '@request.auth.id != "" && @request.context = "protectedFile"',
                           "fields": [{"name": "doc", "type": "file", "maxSelect": 1, "protected": True}]})
    record = api.create_record(name, {})
    attach(name, record["id"], "doc", {"f.pdf": (b"%PDF-1.4", "application/pdf")})
    token = api.ok("POST", "/api/files/token", role="owner")["token"]
    # When the owner views the record and downloads the file / Then the record is hidden, the file served
    assert api.request("GET", f"/api/collections/{name}/records/{record['id']}", role="owner").status_code == 404
    served = api.request("GET", f"/api/files/{name}/{record['id']}/f.pdf", role="guest", params={"token": token})
    assert served.status_code == 200 and served.content == b"%PDF-1.4"
    assert served.headers["content-disposition"] == 'inline; filename="f.pdf"'


def test_a_superusers_file_token_from_outside_superuser_ips_counts_as_none(api: Api, docs: dict[str, Any]) -> None:
    # Given superuserIPs that leave out this client, and a superuser's file token
    token = api.ok("POST", "/api/files/token")["token"]
    api.ok("PATCH", "/api/settings", json={"superuserIPs": ["10.9.9.9"]})
    try:
        # When it opens the protected file / Then PocketBase's 404, as with no token
        refused = api.request("GET", url(docs, "p.png"), role="guest", params={"token": token})
    finally:
        # A superuser outside the list can't PATCH them back: start again as a fresh deployment.
        client("dynamodb").delete_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                       Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})
        provider.invalidate()
    assert refused.status_code == 404
    assert api.request("GET", url(docs, "p.png"), role="guest", params={"token": token}).status_code == 200
