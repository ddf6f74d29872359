"""FileServer on in-memory fakes: delivery by size (body or presigned redirect), 304, headers and lookups."""

from __future__ import annotations

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.errors import NotFoundError
from shared.files import keys
from shared.files.serving import FileRequest, FileServer, FilesSettings, etag_matches, served_headers
from shared.files.storage import InMemoryFileStorage
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import RecordWrite, StoredRecord
from tests.support.files_world import image

THRESHOLD = 1000


class World:
    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = InMemoryRecordRepository(self.collections.shard_count)
        self.storage = InMemoryFileStorage()
        CollectionsAdmin(self.collections, self.records).create({
            "name": "docs", "type": "base", "viewRule": "",
            "fields": [{"name": "files", "type": "file", "maxSelect": 9, "thumbs": ["20x10"]},
                       {"name": "secret", "type": "file", "maxSelect": 1, "protected": True}]})
        collection = self.collections.get("docs").collection
        self.collection_id = collection.id
        files, secret = (collection.field_by_name(n) for n in ("files", "secret"))
        assert files is not None and secret is not None
        self.records.write([RecordWrite("create", StoredRecord(collection.id, "r1", {
            "id": "r1", files.id: ["small.png", "big.bin"], secret.id: "s.txt"}))])
        self.small = image("PNG", 40, 20)
        self.put("small.png", self.small, "image/png")
        self.put("big.bin", b"x" * (THRESHOLD + 1), "application/octet-stream")
        self.put("s.txt", b"secret", "text/plain")
        self.server = FileServer(FilesSettings(direct_max_bytes=THRESHOLD, presign_expires_s=30), self.storage,
                                 self.collections, self.records)

    def put(self, name: str, body: bytes, content_type: str) -> None:
        self.storage.put(keys.original_key(self.collection_id, "r1", name), body, content_type)


@pytest.fixture
def world() -> World:
    return World()


def allow(*_: object) -> bool:
    return True


def deny(*_: object) -> bool:
    return False


def test_a_file_under_the_threshold_is_in_the_body(world: World) -> None:
    served = world.server.serve(FileRequest("docs", "r1", "small.png"), allow)
    assert served.status == 200 and served.body == world.small


def test_a_file_over_the_threshold_is_a_short_lived_redirect(world: World) -> None:
    served = world.server.serve(FileRequest("docs", "r1", "big.bin", download="1"), allow)
    assert served.status == 302 and served.body == b""
    assert served.headers["Location"] == f"memory://{world.collection_id}/r1/big.bin?expires=30&download=1"
    assert served.headers["Cache-Control"] == "no-store"


def test_a_protected_file_is_a_404_unless_the_check_passes_and_only_then_presigned(world: World) -> None:
    with pytest.raises(NotFoundError):
        world.server.serve(FileRequest("docs", "r1", "s.txt"), deny)
    assert world.server.serve(FileRequest("docs", "r1", "s.txt"), allow).body == b"secret"


def test_a_public_file_never_asks_the_check(world: World) -> None:
    def fail(*_: object) -> bool:
        raise AssertionError("asked")
    assert world.server.serve(FileRequest("docs", "r1", "small.png"), fail).status == 200


def test_the_first_thumb_is_stored_and_the_next_served_from_storage(world: World) -> None:
    key = keys.thumb_key(world.collection_id, "r1", "small.png", "20x10")
    first = world.server.serve(FileRequest("docs", "r1", "small.png", thumb="20x10"), allow)
    stored = world.storage.get(key)
    assert stored is not None and stored.body == first.body
    # When the original goes, a stored thumb still serves without reading it
    world.storage.delete_many([keys.original_key(world.collection_id, "r1", "small.png")])
    again = world.server.serve(FileRequest("docs", "r1", "small.png", thumb="20x10"), allow)
    assert again.body == first.body and again.headers["ETag"] == first.headers["ETag"] == stored.etag


def test_if_none_match_answers_304_without_a_body(world: World) -> None:
    etag = world.server.serve(FileRequest("docs", "r1", "small.png"), allow).headers["ETag"]
    served = world.server.serve(FileRequest("docs", "r1", "small.png", if_none_match=etag), allow)
    assert served.status == 304 and served.body == b"" and "Content-Type" not in served.headers


@pytest.mark.parametrize(("header", "matches"), [
    ('"a"', True), ('W/"a"', True), ('"b", "a"', True), ("*", True), ('"b"', False), ("", False)])
def test_etag_comparison_is_weak(header: str, matches: bool) -> None:
    assert etag_matches(header, '"a"') is matches


@pytest.mark.parametrize(("name", "content_type", "download", "disposition", "served_type"), [
    ("a.png", "image/png", False, "inline", "image/png"),
    ("a.png", "image/png", True, "attachment", "image/png"),
    ("a.pdf", "application/pdf", False, "inline", "application/pdf"),
    ("a.svg", "text/xml", False, "attachment", "image/svg+xml"),
    ("a.txt", "text/plain; charset=utf-8", False, "attachment", "text/plain; charset=utf-8"),
])
def test_headers_follow_pocketbases_inline_types_and_extension_overrides(
        name: str, content_type: str, download: bool, disposition: str, served_type: str) -> None:
    headers = served_headers(name, content_type, download=download, etag='"e"')
    assert headers["Content-Disposition"] == f'{disposition}; filename="{name}"'
    assert headers["Content-Type"] == served_type


@pytest.mark.parametrize(("collection", "record", "filename", "message"), [
    ("nope", "r1", "small.png", "Missing or invalid collection context."),
    ("docs", "nope", "small.png", "The requested resource wasn't found."),
    ("docs", "r1", "other.png", "The requested resource wasn't found."),
])
def test_missing_things_are_pocketbases_404s(world: World, collection: str, record: str, filename: str,
                                             message: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        world.server.serve(FileRequest(collection, record, filename), allow)
    assert caught.value.body()["message"] == message


def test_concurrent_first_requests_store_the_thumb_once(world: World) -> None:
    # Given storage that counts the thumb writes that land
    import threading

    landed: list[str] = []
    put_if_absent = world.storage.put_if_absent

    def counting(key: str, body: bytes, content_type: str) -> bool:
        stored = put_if_absent(key, body, content_type)
        if stored:
            landed.append(key)
        return stored

    world.storage.put_if_absent = counting  # type: ignore[method-assign]
    barrier = threading.Barrier(6)
    answers: list[bytes] = []

    def ask() -> None:
        barrier.wait()
        answers.append(world.server.serve(FileRequest("docs", "r1", "small.png", thumb="20x10"), allow).body)

    # When six first requests for the same thumb arrive together
    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one write landed and every answer is the stored thumb's bytes
    stored = world.storage.get(keys.thumb_key(world.collection_id, "r1", "small.png", "20x10"))
    assert stored is not None and len(landed) == 1
    assert answers == [stored.body] * 6
