"""Truncating or deleting a collection deletes its files, originals and thumbs, through the jobs queue."""

from __future__ import annotations

import io
import time
from typing import Any

from PIL import Image

from shared import resources
from shared.aws import client
from tests.support.records_api import Api, unique


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


PNG = _png()
BUCKET = resources.FILES_BUCKET.physical_name


def _keys(prefix: str) -> set[str]:
    pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def _wait_until(predicate: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return bool(predicate())


def _collection_with_a_file(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    collection = api.create_collection({"name": unique("gallery"), "type": "base", "viewRule": "", "fields": [
        {"name": "image", "type": "file", "thumbs": ["10x10"]}]})
    record = api.ok("POST", f"/api/collections/{collection['name']}/records", files=[("image", ("a.png", PNG))])
    thumb = api.request("GET", f"/api/files/{collection['name']}/{record['id']}/{record['image']}?thumb=10x10")
    assert thumb.status_code == 200
    return collection, record


def test_truncating_a_collection_deletes_its_files_and_thumbs_but_not_later_ones(api: Api) -> None:
    # Given a collection whose record has a file and a stored thumb
    collection, _ = _collection_with_a_file(api)
    prefix = f"{collection['id']}/"
    assert len(_keys(prefix)) == 2
    # When it is truncated, and a record is created in it right after
    api.ok("DELETE", f"/api/collections/{collection['name']}/truncate", status=204)
    later = api.ok("POST", f"/api/collections/{collection['name']}/records", files=[("image", ("b.png", PNG))])
    # Then the job deletes the truncated record's original and thumb, and the later record keeps its file
    later_key = f"{prefix}{later['id']}/{later['image']}"
    assert _wait_until(lambda: _keys(prefix) == {later_key}), _keys(prefix)


def test_deleting_a_collection_deletes_its_files(api: Api) -> None:
    # Given a collection whose record has a file and a stored thumb
    collection, _ = _collection_with_a_file(api)
    # When the collection is deleted
    api.ok("DELETE", f"/api/collections/{collection['name']}", status=204)
    # Then nothing is left under its prefix
    assert _wait_until(lambda: not _keys(f"{collection['id']}/")), _keys(f"{collection['id']}/")
