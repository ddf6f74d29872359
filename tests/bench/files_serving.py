"""Files benchmark on moto's S3: a cached thumb versus a first thumb, in wall time and S3 requests per request.

The FileServer runs on the S3 implementation of FileStorage (moto in-process) with in-memory collections and
records, so the figures are the files path alone. Rounds alternate first and cached requests (A B A B) and the
ratio is of the medians, since this machine is shared. `LB_BENCH_FILE_ROUNDS` sets the rounds (default 12);
`LB_BENCH_FILE_SIDE` the original's width (default 1200, a 1200x800 JPEG).
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.files import keys
from shared.files.serving import FileRequest, FileServer, FilesSettings
from shared.files.storage import ObjectInfo, S3FileStorage, StoredObject
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import RecordWrite, StoredRecord
from tests.bench import goals
from tests.support.files_world import image

ROUNDS = int(os.environ.get("LB_BENCH_FILE_ROUNDS", "12"))
SIDE = int(os.environ.get("LB_BENCH_FILE_SIDE", "1200"))
THUMB = "100x100"


class CountingStorage:
    """S3FileStorage that counts its S3 requests (each method below is one request)."""

    def __init__(self, inner: S3FileStorage) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.calls["put"] += 1
        self.inner.put(key, body, content_type)

    def put_if_absent(self, key: str, body: bytes, content_type: str) -> bool:
        self.calls["put"] += 1
        return self.inner.put_if_absent(key, body, content_type)

    def get(self, key: str) -> StoredObject | None:
        self.calls["get"] += 1
        return self.inner.get(key)

    def head(self, key: str) -> ObjectInfo | None:
        self.calls["head"] += 1
        return self.inner.head(key)

    def delete_many(self, keys_: Iterable[str]) -> None:
        self.inner.delete_many(keys_)

    def delete_prefix(self, prefix: str) -> None:
        self.inner.delete_prefix(prefix)

    def presigned_get(self, key: str, *, expires_s: int, filename: str, download: bool) -> str:
        return self.inner.presigned_get(key, expires_s=expires_s, filename=filename, download=download)


def measure() -> dict[str, Any]:
    collections = InMemoryCollectionRepository()
    records = InMemoryRecordRepository(collections.shard_count)
    CollectionsAdmin(collections, records).create({"name": "photos", "type": "base", "viewRule": "",
                                                   "fields": [{"name": "photo", "type": "file", "maxSelect": 1}]})
    collection = collections.get("photos").collection
    field = collection.field_by_name("photo")
    assert field is not None
    storage = CountingStorage(S3FileStorage(resources.FILES_BUCKET.physical_name))
    server = FileServer(FilesSettings(), storage, collections, records)
    original = image("JPEG", SIDE, SIDE * 2 // 3)
    for i in range(ROUNDS):
        records.write([RecordWrite("create", StoredRecord(collection.id, f"r{i}", {"id": f"r{i}", field.id: "p.jpg"}))])
        storage.inner.put(keys.original_key(collection.id, f"r{i}", "p.jpg"), original, "image/jpeg")
    server.serve(FileRequest("photos", "r0", "p.jpg", thumb=THUMB), lambda *_: True)  # Pillow's import, once

    def timed(record_id: str) -> tuple[float, int]:
        storage.calls.clear()
        start = time.perf_counter()
        served = server.serve(FileRequest("photos", record_id, "p.jpg", thumb=THUMB), lambda *_: True)
        elapsed = time.perf_counter() - start
        assert served.status == 200
        return elapsed, sum(storage.calls.values())

    first, cached = [], []
    for i in range(1, ROUNDS):
        first.append(timed(f"r{i}"))  # a record whose thumb was never asked for
        cached.append(timed("r0"))
    first_ms = statistics.median(t for t, _ in first) * 1000
    cached_ms = statistics.median(t for t, _ in cached) * 1000
    return {"rounds": ROUNDS - 1, "first_ms": first_ms, "cached_ms": cached_ms,
            "first_requests": max(n for _, n in first), "cached_requests": max(n for _, n in cached),
            "original_bytes": len(original)}


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    with running_cloud():
        figures = measure()
    print(f"files: {figures}")
    ratio = figures["cached_ms"] / figures["first_ms"]
    goals.record("files", f"cached / first {THUMB} thumb time ({SIDE}px JPEG)", "< 1",
                 f"{figures['cached_ms']:.1f} / {figures['first_ms']:.1f} ms = {ratio:.2f}", ratio < 1)
    goals.record("files", "cached / first thumb S3 requests", "fewer",
                 f"{figures['cached_requests']} / {figures['first_requests']}",
                 figures["cached_requests"] < figures["first_requests"])


if __name__ == "__main__":
    report()
    goals.print_table()
