"""Conformance of multipart uploads: create, update modifiers and file validation, next to the real PocketBase.

Stored names end in 10 random characters on both sides; they compare as `<random>`, everything else exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conformance.normalize import as_text, normalize
from tests.conformance.paired import SUPERUSER, PairedClient, Side
from tests.conformance.scenario import Case, cases, check

C = "/api/collections/up_docs/records"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
# PocketBase's random part: 10 chars of [a-z0-9] after `_`, before the extension; a name under 3 chars gets
# a second run of 10 before that `_`
RANDOM_PART = re.compile(r"_[a-z0-9]{10}(?=\.|$)")
SHORT_NAME_PART = re.compile(r"^([a-z0-9_]{0,2}?)[a-z0-9]{10}(?=_<random>)")
Files = list[tuple[str, tuple[str, bytes]]]


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, str):
        return SHORT_NAME_PART.sub(r"\1<short>", RANDOM_PART.sub("_<random>", value))
    return value


def _send(side: Side, method: str, path: str, files: Files, data: dict[str, Any] | None) -> httpx.Response:
    return side.http.request(method, side.fill(path), headers={"Authorization": side.tokens[SUPERUSER]},
                             files=files or None, data=side.fill(data or {}))


def both(paired: PairedClient, method: str, path: str, files: Files,
         data: dict[str, Any] | None = None) -> tuple[Any, Any]:
    pb = _send(paired.pb, method, path, files, data)
    lb = _send(paired.lb, method, path, files, data)
    sides = []
    for side, response in ((paired.pb, pb), (paired.lb, lb)):
        sides.append((response.status_code, normalize(_masked(response.json()), side.ids)))
    assert sides[0] == sides[1], f"pocketbase:\n{as_text(sides[0])}\nlambdabase:\n{as_text(sides[1])}"
    return pb.json(), lb.json()


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "up_docs", "type": "base", "fields": [
        {"name": "title", "type": "text"},
        {"name": "documents", "type": "file", "maxSelect": 3, "maxSize": 2000},
        {"name": "avatar", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png", "image/jpeg"]},
        {"name": "anything", "type": "file", "maxSelect": 9}]})
    yield


@pytest.mark.parametrize(("name", "files", "data"), [
    ("plain and repeated parts", [("documents", ("My Notes.txt", b"hello")), ("documents", ("b.pdf", PDF)),
                                  ("avatar", ("face.png", PNG))], {"title": "t"}),
    ("names without an extension get one from the content",
     [("anything", ("readme", b"plain text")), ("anything", ("picture", PNG)), ("anything", ("doc", PDF)),
      ("anything", ("data", b'{"a": [1, 2]}')), ("anything", ("page", b"<!DOCTYPE html><html></html>"))], None),
    ("odd names", [("anything", ("..hidden", b"x")), ("anything", ("CamelCase Name!.TXT", b"x")),
                   ("anything", ("archive.tar.gz", b"x")), ("anything", ("über straße.txt", b"x"))], None),
    ("a file too large", [("documents", ("big.txt", b"x" * 2001))], None),
    ("a disallowed type", [("avatar", ("fake.png", b"not an image"))], None),
    ("too many files", [("documents", (f"f{i}.txt", b"x")) for i in range(4)], None),
    ("a plain name for a new file", [], {"documents": "made_up.txt"}),
    ("a single file field given two files", [("avatar", ("one.png", PNG)), ("avatar", ("two.png", PNG))], None),
    ("a file part for a text field", [("title", ("t.txt", b"x")), ("documents", ("a.txt", b"a"))], None),
    ("@jsonPayload with a file", [("documents", ("a.txt", b"a"))], {"@jsonPayload": '{"title": "from json"}'}),
])
def test_multipart_create(paired: PairedClient, name: str, files: Files, data: dict[str, Any] | None) -> None:
    # Given a collection with file fields, When the same multipart create goes to both, Then both answer alike
    both(paired, "POST", C, files, data)


def test_update_modifiers(paired: PairedClient) -> None:
    # Given a record with two documents on both sides
    pb, lb = both(paired, "POST", C, [("documents", ("one.txt", b"1")), ("documents", ("two.txt", b"2"))])
    for side, body in ((paired.pb, pb), (paired.lb, lb)):
        side.remember("upd", body["id"])
        side.values["first"], side.values["second"] = body["documents"]
    path = C + "/${upd}"
    # When files are appended, removed by name, kept by a list, and cleared, Then both answer alike each time
    both(paired, "PATCH", path, [("documents+", ("three.txt", b"3"))], {"documents-": "${first}"})
    both(paired, "PATCH", path, [("documents", ("four.txt", b"4"))], {"documents": "${second}"})
    both(paired, "PATCH", path, [("documents+", ("five.txt", b"5")), ("documents+", ("six.txt", b"6"))])
    both(paired, "PATCH", path, [], {"documents": ""})
    both(paired, "GET", path, [])


def test_expand_and_fields_show_file_names(paired: PairedClient) -> None:
    # Given a record with files, and a record of another collection relating to it
    pb, lb = both(paired, "POST", C, [("documents", ("shown.txt", b"s")), ("avatar", ("pic.png", PNG))],
                  {"title": "target"})
    for side, body in ((paired.pb, pb), (paired.lb, lb)):
        side.remember("target", body["id"])
    paired.create_collection({"name": "up_links", "type": "base", "fields": [
        {"name": "doc", "type": "relation", "collectionId": "${col_up_docs}", "maxSelect": 1}]})
    paired.create_record("up_links", "link", {"doc": "${target}"})
    # When the record is read with `fields`, and the other one with the relation expanded
    both(paired, "GET", C + "/${target}?fields=documents,avatar", [])
    both(paired, "GET", "/api/collections/up_links/records/${link}?expand=doc&fields=id,expand.doc.documents", [])
    # Then both show the same file names
    both(paired, "GET", "/api/collections/up_links/records/${link}?expand=doc", [])


SETTINGS = cases(
    Case("file field defaults", "POST", "/api/collections",
         body={"name": "up_defaults", "type": "base", "fields": [{"name": "f", "type": "file"}]}),
    Case("file field with every option", "POST", "/api/collections", body={"name": "up_every", "type": "base",
         "fields": [{"name": "f", "type": "file", "maxSelect": 3, "maxSize": 100, "protected": True,
                     "mimeTypes": ["image/png", "text/plain"], "thumbs": ["100x100", "0x50", "50x0", "10x10t",
                                                                          "10x10b", "10x10f"]}]}),
    Case("file field with invalid options", "POST", "/api/collections", body={"name": "up_bad", "type": "base",
         "fields": [{"name": "f", "type": "file", "maxSelect": -1, "maxSize": -5,
                     "thumbs": ["0x0", "abc", "10x10z", "100x100"]}]}),
    Case("file field maxSize above 2^53-1", "POST", "/api/collections", body={"name": "up_huge", "type": "base",
         "fields": [{"name": "f", "type": "file", "maxSize": 2 ** 53}]}),
)


@pytest.mark.parametrize("case", SETTINGS)
def test_file_field_settings(paired: PairedClient, case: Case) -> None:
    # Given file field options, When the same collection goes to both, Then both keep or refuse them alike
    check(paired, case)
