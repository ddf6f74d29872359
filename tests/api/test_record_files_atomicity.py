"""Uploads and record commits cannot share a transaction: failures injected on either side of the commit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared import resources
from shared.composition import composition
from shared.errors import ServiceUnavailableError
from shared.files import keys
from shared.files.storage import get_file_storage
from tests.api.test_record_files import _objects
from tests.support.records_api import Api, unique


@pytest.fixture(scope="module")
def docs(api: Api) -> dict[str, Any]:
    return api.create_collection({"name": unique("atomic"), "type": "base", "createRule": "", "updateRule": "",
                                  "deleteRule": "", "viewRule": "", "listRule": "",
                                  "fields": [{"name": "documents", "type": "file", "maxSelect": 5}]})


class InjectedFailure(ServiceUnavailableError):
    default_message = "Injected failure."


def _fail(*_: Any, **__: Any) -> None:
    raise InjectedFailure()


def test_a_commit_failing_after_the_upload_leaves_nothing_stored(api: Api, docs: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the table's write fails once the files are uploaded
    monkeypatch.setattr(composition().records, "write", _fail)
    before = _objects(f"{docs['id']}/")
    # When a record with two files is created
    response = api.request("POST", f"/api/collections/{docs['name']}/records",
                           files=[("documents", ("one.txt", b"1")), ("documents", ("two.txt", b"2"))])
    # Then the request fails and no object of it remains in the bucket
    assert response.status_code == 503, response.text
    assert _objects(f"{docs['id']}/") == before
    monkeypatch.undo()
    assert api.ok("GET", f"/api/collections/{docs['name']}/records")["totalItems"] == 0


def test_an_update_failing_to_commit_keeps_the_old_files_and_drops_the_new(api: Api, docs: Any,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a stored record with one file
    record = api.ok("POST", f"/api/collections/{docs['name']}/records",
                    files=[("documents", ("kept.txt", b"k"))])
    prefix = keys.record_prefix(docs["id"], record["id"])
    # When an update replacing it fails to commit
    monkeypatch.setattr(composition().records, "write", _fail)
    response = api.request("PATCH", f"/api/collections/{docs['name']}/records/{record['id']}",
                           files=[("documents", ("new.txt", b"n"))])
    # Then the old file is still there and the new one is gone
    assert response.status_code == 503
    assert set(_objects(prefix)) == set(record["documents"])


def test_a_failed_delete_after_the_commit_keeps_the_request_and_a_job_deletes_the_file(
        api: Api, docs: Any, stack: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # Given a record with two files, and a bucket that refuses the next delete
    record = api.ok("POST", f"/api/collections/{docs['name']}/records",
                    files=[("documents", ("first.txt", b"1")), ("documents", ("second.txt", b"2"))])
    first, second = record["documents"]
    storage = get_file_storage(resources.FILES_BUCKET.physical_name)
    real_delete, refused = storage.delete_many, []

    def refuse_once(stored: Any) -> None:
        if not refused:
            refused.append(list(stored))
            raise InjectedFailure()
        real_delete(stored)

    monkeypatch.setattr(storage, "delete_many", refuse_once)
    # When an update removes one file
    updated = api.ok("PATCH", f"/api/collections/{docs['name']}/records/{record['id']}",
                     json={"documents-": first})
    # Then the committed update still answers 200 without it, the failed cleanup is queued as a job...
    assert updated["documents"] == [second]
    assert refused == [[keys.original_key(docs["id"], record["id"], first)]]
    assert any(r.getMessage() == "file cleanup after a committed write failed; queued to retry" for r in caplog.records)
    # ...and the jobs function deletes the file the write removed, and nothing else
    prefix = keys.record_prefix(docs["id"], record["id"])
    deadline = time.monotonic() + 30
    while set(_objects(prefix)) != {second}:
        assert time.monotonic() < deadline, _objects(prefix)
        time.sleep(0.2)


def test_a_put_failing_part_way_deletes_the_files_already_stored(api: Api, docs: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a bucket that refuses the second of three files
    storage = get_file_storage(resources.FILES_BUCKET.physical_name)
    real_put = storage.put

    def put(key: str, body: bytes, content_type: str) -> None:
        if body == b"2":
            raise InjectedFailure()
        real_put(key, body, content_type)

    monkeypatch.setattr(storage, "put", put)
    before = _objects(f"{docs['id']}/")
    # When a record with three files is created
    response = api.request("POST", f"/api/collections/{docs['name']}/records", files=[
        ("documents", ("one.txt", b"1")), ("documents", ("two.txt", b"2")), ("documents", ("three.txt", b"3"))])
    # Then it fails before the commit and the files that were stored are gone again
    assert response.status_code == 503
    assert _objects(f"{docs['id']}/") == before
