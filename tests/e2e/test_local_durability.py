"""The local stack as a process: restarts keep totals counting, kill -9 loses no acknowledged write, SIGTERM is
quick and clean, and a batch of 100 creates completes."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

ENV = {"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL, "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
       # no periodic snapshot during a test: what survives a kill can only come from the journal
       "LB_SNAPSHOT_INTERVAL_S": "3600"}
# A hang guard, not a timing measurement: SIGTERM should take a few seconds.
SIGTERM_HANG_GUARD_S = 20.0


def started(data_dir: Path, **env: str) -> tuple[StackProcess, Api]:
    stack = StackProcess(data_dir, env={**ENV, **env}).start()
    return stack, Api(stack.url).sign_in_superuser()


def new_collection(api: Api) -> str:
    name = unique("durable")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "",
                           "fields": [{"name": "title", "type": "text"}]})
    return name


def listed_ids(api: Api, collection: str) -> set[str]:
    page = api.list_records(collection, perPage=500, skipTotal=1)
    return {item["id"] for item in page["items"]}


def test_total_items_keeps_counting_across_a_restart(tmp_path: Path) -> None:
    # Given 40 creates and 30 deletes, counted, and a clean restart
    stack, api = started(tmp_path / "data")
    collection = new_collection(api)
    ids = [api.create_record(collection, {"title": f"r{i}"})["id"] for i in range(40)]
    for record_id in ids[:30]:
        api.ok("DELETE", f"/api/collections/{collection}/records/{record_id}", status=204)
    assert api.wait_total(collection, 10)["totalItems"] == 10
    assert stack.stop() == 0
    stack, api = started(tmp_path / "data")
    try:
        # When 20 more records are created
        for i in range(20):
            api.create_record(collection, {"title": f"after restart {i}"})
        # Then totalItems counts them all and equals what the listing holds
        total = api.wait_total(collection, 30)["totalItems"]
        assert total == 30
        assert len(listed_ids(api, collection)) == total
    finally:
        assert stack.stop() == 0


def test_acknowledged_creates_survive_kill_9(tmp_path: Path) -> None:
    # Given records created (each answered 200) and no snapshot taken since
    stack, api = started(tmp_path / "data")
    collection = new_collection(api)
    ids = {api.create_record(collection, {"title": f"r{i}"})["id"] for i in range(60)}
    # When the process is killed outright and started again
    stack.stop(signal.SIGKILL)
    stack, api = started(tmp_path / "data")
    try:
        # Then every acknowledged record is there
        assert listed_ids(api, collection) == ids
    finally:
        assert stack.stop() == 0


def test_sigterm_exits_zero_within_seconds_and_saves(tmp_path: Path) -> None:
    # Given a stack that served writes
    stack, api = started(tmp_path / "data")
    collection = new_collection(api)
    ids = {api.create_record(collection, {"title": f"r{i}"})["id"] for i in range(10)}
    # When it gets SIGTERM
    began = time.monotonic()
    code = stack.stop(signal.SIGTERM)
    elapsed = time.monotonic() - began
    # Then it exits 0, promptly, having saved the data in a snapshot (the journal is folded into it)
    assert code == 0
    assert elapsed < SIGTERM_HANG_GUARD_S, f"SIGTERM took {elapsed:.1f} s"
    assert "data saved" in stack.logs()
    assert (tmp_path / "data" / "dynamodb" / "records.json").exists()
    stack, api = started(tmp_path / "data")
    try:
        assert listed_ids(api, collection) == ids
    finally:
        assert stack.stop() == 0


def test_batch_of_100_creates_completes(tmp_path: Path) -> None:
    # Given batches on, up to 100 requests
    stack, api = started(tmp_path / "data", LB_BATCH_ENABLED="1", LB_BATCH_MAX_REQUESTS="100")
    try:
        collection = new_collection(api)
        requests = [{"method": "POST", "url": f"/api/collections/{collection}/records", "body": {"title": f"b{i}"}}
                    for i in range(100)]
        # When one batch creates 100 records
        results = api.ok("POST", "/api/batch", json={"requests": requests})
        # Then it answers 200 with 100 results, and the records are there
        assert len(results) == 100
        assert all(r["status"] == 200 for r in results)
        assert listed_ids(api, collection) == {r["body"]["id"] for r in results}
    finally:
        assert stack.stop() == 0
