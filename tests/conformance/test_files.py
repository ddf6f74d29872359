"""Conformance of serving record files next to PocketBase 0.40.6: statuses, 404 bodies, headers, thumb sizes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from PIL import Image

from shared import aws
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check
from tests.support.files_world import attach, image
from tests.support.stack_process import StackProcess

COLLECTION = "cf_files"


def _rotated_jpeg() -> bytes:
    picture = Image.open(io.BytesIO(image("JPEG", 200, 100)))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


THUMBS = ["50x30", "30x50t", "50x30b", "50x30f", "0x20", "20x0", "400x400f", "45x45"]
# name on both sides -> (bytes, content type, field)
FILES: dict[str, tuple[bytes, str, str]] = {
    "png": (image("PNG", 200, 100), "image/png", "pub"),
    "jpg": (image("JPEG", 301, 199), "image/jpeg", "pub"),
    "webp": (image("WEBP", 120, 160), "image/webp", "pub"),
    "gif": (image("GIF", 90, 60), "image/gif", "pub"),
    "rotated": (_rotated_jpeg(), "image/jpeg", "pub"),  # 200x100 pixels, displayed 100x200
    # the type an upload stores for text, as PocketBase sniffs it
    "txt": (b"plain words", "text/plain; charset=utf-8", "pub"),
    "secret": (image("PNG", 64, 64), "image/png", "priv"),
}
HEADERS = ("content-type", "cache-control", "content-security-policy")


def _stored_name(name: str) -> str:
    extension = {"secret": "png", "rotated": "jpg"}.get(name, name)
    return f"{name}.{extension}"


@pytest.fixture(scope="module")
def world(paired: PairedClient, servers: tuple[Any, StackProcess]) -> Iterator[PairedClient]:
    """A record owned by alice, its files uploaded on PocketBase and put in place (bucket + value) on Lambdabase."""
    paired.create_collection({"name": COLLECTION, "type": "base", "listRule": "",
                              "viewRule": "owner = @request.auth.id",
                              "fields": [{"name": "owner", "type": "text"},
                                         {"name": "pub", "type": "file", "maxSelect": 9, "thumbs": THUMBS},
                                         {"name": "priv", "type": "file", "maxSelect": 1, "protected": True}]})
    owner = paired.pb.values["alice"]
    uploads = [(field, (_stored_name(name), body, content_type))
               for name, (body, content_type, field) in FILES.items()]
    created = paired.pb.http.post(f"/api/collections/{COLLECTION}/records", files=uploads, data={"owner": owner},
                                  headers={"Authorization": paired.pb.tokens["superuser"]})
    assert created.status_code == 200, created.text
    pb_record = created.json()
    paired.pb.remember("rec", pb_record["id"])
    for name, stored in zip(FILES, [*pb_record["pub"], pb_record["priv"]], strict=True):
        paired.pb.remember(name, stored)

    lb_record = paired.lb.http.post(f"/api/collections/{COLLECTION}/records", json={"owner": paired.lb.values["alice"]},
                                    headers={"Authorization": paired.lb.tokens["superuser"]}).json()
    paired.lb.remember("rec", lb_record["id"])
    moto = servers[1].moto_endpoint()

    def moto_client(service: str, _: str | None) -> Any:
        return boto3.client(service, endpoint_url=moto, region_name="us-east-1", aws_access_key_id="local",
                            aws_secret_access_key="local")

    with aws.clients_from(moto_client):
        for field in ("pub", "priv"):
            named = {f"lb_{_stored_name(name)}": (body, content_type)
                     for name, (body, content_type, in_field) in FILES.items() if in_field == field}
            attach(COLLECTION, lb_record["id"], field, named)
    for name in FILES:
        paired.lb.remember(name, f"lb_{_stored_name(name)}")
    for side in (paired.pb, paired.lb):
        side.remember("alice_file", _file_token(side.http, side.tokens["alice"]))
        side.remember("bob_file", _file_token(side.http, side.tokens["bob"]))
        side.remember("alice_auth", side.tokens["alice"])
    yield paired


def _file_token(http: httpx.Client, auth: str) -> str:
    return str(http.post("/api/files/token", headers={"Authorization": auth}).json()["token"])


BASE = f"/api/files/{COLLECTION}/${{rec}}"

NOT_FOUND = cases(
    Case("unknown collection", "GET", "/api/files/nope/${rec}/${png}", role=GUEST),
    Case("unknown record", "GET", f"/api/files/{COLLECTION}/nope/${{png}}", role=GUEST),
    Case("file not in the record", "GET", f"{BASE}/nope.png", role=GUEST),
    Case("no filename", "GET", f"{BASE}/", role=GUEST),
    Case("a segment too many", "GET", f"{BASE}/${{png}}/x", role=GUEST),
    Case("POST to a file", "POST", f"{BASE}/${{png}}", role=GUEST),
    Case("protected without a token", "GET", f"{BASE}/${{secret}}", role=GUEST),
    Case("protected with a garbage token", "GET", f"{BASE}/${{secret}}", role=GUEST, params={"token": "abc"}),
    Case("protected with another user's file token", "GET", f"{BASE}/${{secret}}", role=GUEST,
         params={"token": "${bob_file}"}),
    Case("protected with the owner's auth token", "GET", f"{BASE}/${{secret}}", role=GUEST,
         params={"token": "${alice_auth}"}),
    Case("protected with the owner's Authorization only", "GET", f"{BASE}/${{secret}}", role="alice"),
)


@pytest.mark.parametrize("case", NOT_FOUND)
def test_refusals_match(world: PairedClient, case: Case) -> None:
    # Given the record on both sides, When the same refused request goes to both, Then status and body agree
    check(world, case)


def served(world: PairedClient, name: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    """Both sides' answers for one of the files: status, the headers that matter, disposition, image size."""
    pair = world.send("GET", f"{BASE}/${{{name}}}", role=GUEST, params=params)
    out: dict[str, Any] = {}
    for side, response in (("pb", pair.pb), ("lb", pair.lb)):
        disposition = response.headers.get("content-disposition", "")
        stored = world.sides[side].values[name]
        size = None
        if response.headers.get("content-type", "").startswith("image/"):
            size = Image.open(io.BytesIO(response.content)).size
        out[side] = {"status": response.status_code, "size": size,
                     "disposition": disposition.replace(stored, "<file>"),
                     **{h: response.headers.get(h) for h in HEADERS}}
    return out


@pytest.mark.parametrize("thumb", [*THUMBS, "100x100", "10x10", "abc", "0x0", ""])
@pytest.mark.parametrize("name", ["png", "jpg", "webp", "gif", "rotated", "txt"])
def test_thumbs_match_in_size_type_and_name(world: PairedClient, name: str, thumb: str) -> None:
    # When the same thumb is asked of both, Then both serve the same geometry, type and served name
    answers = served(world, name, {"thumb": thumb} if thumb else None)
    assert answers["lb"] == answers["pb"]


@pytest.mark.parametrize("download", ["1", "true", "t", "0", "x", "false"])
def test_download_parameter_matches(world: PairedClient, download: str) -> None:
    answers = served(world, "png", {"download": download})
    assert answers["lb"] == answers["pb"]


def test_a_collection_id_serves_like_its_name(world: PairedClient) -> None:
    pair = world.send("GET", f"/api/files/${{col_{COLLECTION}}}/${{rec}}/${{png}}", role=GUEST)
    assert pair.pb.status_code == pair.lb.status_code == 200
    assert pair.lb.content == pair.pb.content


def test_the_owners_file_token_serves_the_protected_file_on_both(world: PairedClient) -> None:
    answers = served(world, "secret", {"token": "${alice_file}"})
    assert answers["pb"]["status"] == 200
    assert answers["lb"] == answers["pb"]


@pytest.mark.parametrize("header", ["bytes=0-9", "bytes=330-", "bytes=-6", "bytes=10-4000", "bytes=4000-",
                                    "bytes=5-2", "items=0-1"])
def test_single_ranges_match(world: PairedClient, header: str) -> None:
    # When the same Range is asked of both, Then the status, Content-Range and bytes agree (a 416's body is
    # PocketBase's plain text there, our error shape with the same message here: docs/compatibility.md)
    pair = world.send("GET", f"{BASE}/${{png}}", role=GUEST, headers={"Range": header})
    assert pair.lb.status_code == pair.pb.status_code
    assert pair.lb.headers.get("content-range") == pair.pb.headers.get("content-range")
    if pair.pb.status_code == 206:
        assert pair.lb.content == pair.pb.content
    if pair.pb.status_code == 416:
        assert pair.lb.json()["message"] == pair.pb.text.strip()
