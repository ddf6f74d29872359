"""Persistence of the local stack: tables and buckets snapshotted to the data folder and restored at start."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local import moto_patches, moto_speed
from shared import resources
from shared.aws import client
from shared.observability import logger

if TYPE_CHECKING:
    from local.journal import Journal

_lock = threading.Lock()


# Snapshots hold password hashes, tokens' signing material and emails: only the owner may read them.
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create `path` (and parents) readable by the owner only, tightening it if it already exists."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def _write_atomic(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, FILE_MODE)  # an older tmp file keeps its mode through O_TRUNC
    os.replace(tmp, path)


STREAMS_FILE = "streams.json"


def state_stamp() -> tuple[int, tuple[tuple[str, int, object], ...]]:
    """Changes whenever what `save` writes may have: moto's DynamoDB write count, and every object of our buckets
    (a put or a copy makes a new object; read from this process's moto, without a request)."""
    from moto.s3.models import s3_backends

    from local.cloud import ACCOUNT_ID

    buckets = s3_backends[ACCOUNT_ID]["aws"].buckets
    objects = []
    for bucket in resources.BUCKETS:
        stored = buckets.get(bucket.physical_name)
        for key, obj in (stored.keys.items() if stored is not None else ()):
            objects.append((key, id(obj), obj.last_modified))
    return moto_speed.writes(), tuple(objects)


def save(data_dir: Path, journal: Journal | None = None) -> None:
    """Write every table's items and every bucket's objects under data_dir, replacing the previous snapshot.

    With a journal, the journal is rotated before the scan and its rotated part dropped once the snapshot is
    written: whatever the scan misses is in the new journal (local/journal.py).
    """
    with _lock:
        for folder in (data_dir, data_dir / "dynamodb", data_dir / "s3"):
            private_dir(folder)
        if journal is not None:
            journal.rotate()
        # Read before the scan: every number handed out so far is below it, so the next run starts above.
        streams = moto_patches.next_sequence_numbers()
        ddb = client("dynamodb")
        for table in resources.TABLES:
            items: list[dict[str, Any]] = []
            for page in ddb.get_paginator("scan").paginate(TableName=table.physical_name):
                items.extend(page.get("Items", []))
            _write_atomic(data_dir / "dynamodb" / f"{table.key}.json", json.dumps(items).encode())
        s3 = client("s3")
        for bucket in resources.BUCKETS:
            staging = data_dir / "s3" / f".{bucket.key}.new"
            shutil.rmtree(staging, ignore_errors=True)
            manifest: dict[str, dict[str, str]] = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket.physical_name):
                for obj in page.get("Contents", []):
                    got = s3.get_object(Bucket=bucket.physical_name, Key=obj["Key"])
                    name = f"{len(manifest):08d}"
                    _write_atomic(staging / name, got["Body"].read())
                    manifest[name] = {"key": obj["Key"], "contentType": got.get("ContentType", ""),
                                      "metadata": json.dumps(got.get("Metadata", {}))}
            _write_atomic(staging / "manifest.json", json.dumps(manifest).encode())
            final = data_dir / "s3" / bucket.key
            old = data_dir / "s3" / f".{bucket.key}.old"
            shutil.rmtree(old, ignore_errors=True)
            if final.exists():
                os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        _write_atomic(data_dir / "dynamodb" / STREAMS_FILE, json.dumps(streams).encode())
        if journal is not None:
            journal.discard_rotated()


def highest_sequence_number(data_dir: Path) -> int:
    """The highest stream sequence number the last snapshot's run may have handed out (0 if none was saved)."""
    path = data_dir / "dynamodb" / STREAMS_FILE
    if not path.exists():
        return 0
    return max((int(n) for n in json.loads(path.read_text()).values()), default=0)


def restore(data_dir: Path) -> int:
    """Load a snapshot into the freshly provisioned tables and buckets; returns the number of items loaded."""
    loaded = 0
    ddb = client("dynamodb")
    for table in resources.TABLES:
        path = data_dir / "dynamodb" / f"{table.key}.json"
        if not path.exists():
            continue
        items = json.loads(path.read_text())
        for start in range(0, len(items), 25):
            requests: dict[str, Any] = {table.physical_name: [
                {"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
            while requests:
                out = ddb.batch_write_item(RequestItems=requests)
                requests = out.get("UnprocessedItems") or {}
        loaded += len(items)
    s3 = client("s3")
    for bucket in resources.BUCKETS:
        folder = data_dir / "s3" / bucket.key
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            continue
        for name, meta in json.loads(manifest_path.read_text()).items():
            extra: dict[str, Any] = {"Metadata": json.loads(meta.get("metadata") or "{}")}
            if meta.get("contentType"):
                extra["ContentType"] = meta["contentType"]
            s3.put_object(Bucket=bucket.physical_name, Key=meta["key"], Body=(folder / name).read_bytes(), **extra)
            loaded += 1
    logger.info("snapshot restored", extra={"items": loaded, "data_dir": str(data_dir)})
    return loaded
