"""Backups through the local stack: backup, more writes, restore brings back exactly the backed-up state; a
restore killed midway and retried ends in that same state."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from shared import resources
from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

ENV = {"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL, "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
       # Small parts and short steps, so that a restore of a small world takes many steps to interrupt; a job
       # whose messages were lost (a killed stack) counts as stalled after 3 s instead of 5 minutes.
       "LB_BACKUP_PART_ITEMS": "3", "LB_BACKUP_STEP_BUDGET_S": "0.05", "LB_BACKUP_STALLED_S": "3",
       "LB_BACKUP_COUNTER_SETTLE_S": "2", "LB_SNAPSHOT_INTERVAL_S": "3600"}
FILES = resources.FILES_BUCKET.physical_name
# A hang guard for background jobs on a shared machine, not a timing measurement.
JOB_GUARD_S = 120.0


def started(data_dir: Path) -> tuple[StackProcess, Api]:
    stack = StackProcess(data_dir, env=dict(ENV)).start()
    return stack, Api(stack.url).sign_in_superuser()


def s3(stack: StackProcess) -> Any:
    return boto3.client("s3", endpoint_url=stack.moto_endpoint(), region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def health(api: Api) -> dict[str, Any]:
    """Health as a superuser sees it; signs in again when a restore has put back the superuser's older tokenKey
    (the stack's start sets the superuser's password, which gives it a new one), as PocketBase would need too."""
    data = dict(api.ok("GET", "/api/health")["data"])
    if "canBackup" not in data:
        api.sign_in_superuser()
        data = dict(api.ok("GET", "/api/health")["data"])
    return data


def wait_idle(api: Api) -> None:
    deadline = time.monotonic() + JOB_GUARD_S
    while not health(api)["canBackup"]:
        assert time.monotonic() < deadline, "the backup job did not finish"
        time.sleep(0.2)


def world_state(api: Api, stack: StackProcess, collections: list[str]) -> dict[str, Any]:
    """What the API and the files bucket show: collections, each one's records and totalItems, every file."""
    names = {c["name"] for c in api.ok("GET", "/api/collections", params={"perPage": 500})["items"]}
    state: dict[str, Any] = {"collections": sorted(n for n in names if not n.startswith("_"))}
    for name in collections:
        if name in names:
            # the records function's catalog cache may already have the collection gone (or not yet back)
            answer = api.request("GET", f"/api/collections/{name}/records", params={"perPage": 500, "sort": "id"},
                                 role="superuser")
            if answer.status_code == 404:
                state[name] = "missing"
                continue
            page = answer.json()
            state[name] = (page["totalItems"], [(r["id"], r["title"], r.get("n")) for r in page["items"]])
    client = s3(stack)
    objects = client.list_objects_v2(Bucket=FILES).get("Contents", [])
    state["files"] = {o["Key"]: client.get_object(Bucket=FILES, Key=o["Key"])["Body"].read() for o in objects}
    return state


def state_once_caches_refresh(api: Api, stack: StackProcess, collections: list[str],
                              expected: dict[str, Any]) -> dict[str, Any]:
    """The world's state once it equals `expected`, or as it is after the catalog cache's life and then some:
    each function instance sees a restored catalog within its cache time (2 s)."""
    deadline = time.monotonic() + 10
    while (state := world_state(api, stack, collections)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return state


def given_a_world(api: Api, stack: StackProcess) -> tuple[str, list[str]]:
    name = unique("kept")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "",
                           "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}],
                           "indexes": [f"CREATE INDEX idx_{name}_n ON {name} (n)"]})
    ids = [api.create_record(name, {"title": f"t{i}", "n": i % 3})["id"] for i in range(12)]
    client = s3(stack)
    for record_id in ids[:3]:
        client.put_object(Bucket=FILES, Key=f"{name}/{record_id}/photo.png", Body=f"photo of {record_id}".encode())
    api.wait_total(name, 12)
    return name, ids


def and_more_data(api: Api, stack: StackProcess, name: str, ids: list[str]) -> str:
    later = unique("later")
    api.create_collection({"name": later, "type": "base", "fields": [{"name": "title", "type": "text"}]})
    api.create_record(later, {"title": "only after the backup"})
    for record_id in ids[:4]:
        api.ok("DELETE", f"/api/collections/{name}/records/{record_id}", status=204)
    api.ok("PATCH", f"/api/collections/{name}/records/{ids[5]}", json={"title": "changed"})
    for i in range(3):
        api.create_record(name, {"title": f"new {i}", "n": 7})
    client = s3(stack)
    client.put_object(Bucket=FILES, Key=f"{name}/{ids[0]}/photo.png", Body=b"overwritten")
    client.put_object(Bucket=FILES, Key=f"{later}/x/new.txt", Body=b"new file")
    client.delete_object(Bucket=FILES, Key=f"{name}/{ids[1]}/photo.png")
    api.wait_total(name, 11)
    return later


def created_backup(api: Api, name: str) -> None:
    api.ok("POST", "/api/backups", json={"name": name}, status=204)
    wait_idle(api)
    assert name in [b["key"] for b in api.ok("GET", "/api/backups")]


def test_backup_more_writes_then_restore_brings_back_exactly_the_backed_up_state(tmp_path: Path) -> None:
    stack, api = started(tmp_path / "data")
    try:
        # Given a world of records and files, backed up, then changed
        name, ids = given_a_world(api, stack)
        before = world_state(api, stack, [name])
        created_backup(api, "before.zip")
        later = and_more_data(api, stack, name, ids)
        assert world_state(api, stack, [name, later]) != before

        # When the backup is restored
        api.ok("POST", "/api/backups/before.zip/restore", status=204)
        wait_idle(api)

        # Then records, totals, collections and files are exactly as backed up, and writes count again
        assert state_once_caches_refresh(api, stack, [name, later], before) == before
        api.create_record(name, {"title": "after", "n": 1})
        assert api.wait_total(name, 13)["totalItems"] == 13
    finally:
        stack.discard()


def test_writes_still_in_the_stream_when_the_restore_starts_are_not_counted_on_top(tmp_path: Path) -> None:
    stack, api = started(tmp_path / "data")
    try:
        # Given a backup of 12 records, then 3 creates the change stream has not counted yet
        name, _ = given_a_world(api, stack)
        created_backup(api, "before.zip")
        for i in range(3):
            api.create_record(name, {"title": f"unsettled {i}", "n": 1})

        # When the backup is restored at once
        api.ok("POST", "/api/backups/before.zip/restore", status=204)
        wait_idle(api)

        # Then the total is the archive's, and stays so once the stream is quiet
        time.sleep(2.5)  # the catalog cache, and the stream's batching window
        page = api.list_records(name, perPage=500)
        assert (page["totalItems"], len(page["items"])) == (12, 12)
    finally:
        stack.discard()


def test_a_restore_killed_midway_and_retried_ends_in_the_backed_up_state(tmp_path: Path) -> None:
    # Given a backup, more writes, and a clean restart (S3 objects persist through snapshots)
    stack, api = started(tmp_path / "data")
    name, ids = given_a_world(api, stack)
    before = world_state(api, stack, [name])
    created_backup(api, "before.zip")
    later = and_more_data(api, stack, name, ids)
    assert stack.stop() == 0
    stack, api = started(tmp_path / "data")
    try:
        # When a restore is killed outright midway through its tasks
        api.ok("POST", "/api/backups/before.zip/restore", status=204)
        deadline = time.monotonic() + JOB_GUARD_S
        while (seen := health(api)).get("backup", {}).get("task", 0) < 4:
            assert not seen["canBackup"], "the restore ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        stack.stop(signal.SIGKILL)
        stack, api = started(tmp_path / "data")
        assert world_state(api, stack, [name, later]) != before  # a mix, until the retry

        # Then the retried restore ends in exactly the backed-up state
        retry_deadline = time.monotonic() + JOB_GUARD_S
        while api.request("POST", "/api/backups/before.zip/restore").status_code != 204:
            assert time.monotonic() < retry_deadline, "the stalled restore was never taken over"
            time.sleep(0.5)
        wait_idle(api)
        assert state_once_caches_refresh(api, stack, [name, later], before) == before
    finally:
        stack.discard()
