"""Memory of the local stack under a bounded mixed load: RSS of the `lambdabase run` process before and after.

The load cycles creates (half of them into a collection with a UNIQUE index, so each is a transaction), updates,
lists, one-record batches and deletes, keeping the live records small and constant. What the stack is asked to
keep still grows, as it would on AWS and in PocketBase: a request log line per request (kept `logs.maxDays`) and
an audit entry per write (kept `audit.retentionDays`), which moto holds in memory; their count is reported next to
the RSS. Whatever else RSS gains past the warm-up is memory the stack keeps for nothing (moto's table copies,
model instances, shard iterators, stream records every consumer has read). RSS is read from /proc after a
warm-up and then at the end of each third of the run; the goal is that the last third adds (next to) nothing.
Settings: LB_BENCH_SOAK_S (seconds of load after the warm-up), LB_BENCH_SOAK_WARMUP_S.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from shared import resources
from tests.bench import goals
from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess

SOAK_S = float(os.environ.get("LB_BENCH_SOAK_S", "90"))
WARMUP_S = float(os.environ.get("LB_BENCH_SOAK_WARMUP_S", "15"))
# Allocator noise on a process of a few hundred MB; a leak of the old kind adds this much in a few writes.
LAST_THIRD_BUDGET_MB = 25.0
LIVE_RECORDS = 20


KEPT_TABLES = ("logs", "audit")


def kept_entries(moto_endpoint: str) -> int:
    """Items in the tables of what the stack keeps by design (request logs, audit entries)."""
    import boto3

    ddb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    count = 0
    for key in KEPT_TABLES:
        page: dict[str, Any] = {}
        while True:
            out = ddb.scan(TableName=resources.table(key).physical_name, Select="COUNT", **page)
            count += out["Count"]
            if "LastEvaluatedKey" not in out:
                break
            page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}
    return count


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class MixedLoad:
    """One step at a time of the mix, on a plain and a uniquely indexed collection."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.plain, self.uniq = unique("soak"), unique("soaku")
        api.create_collection({"name": self.plain, "type": "base", "listRule": "", "viewRule": "",
                               "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})
        api.create_collection({"name": self.uniq, "type": "base", "listRule": "",
                               "fields": [{"name": "code", "type": "text"}],
                               "indexes": [f"CREATE UNIQUE INDEX idx_{self.uniq}_code ON {self.uniq} (code)"]})
        self.live: list[tuple[str, str]] = []
        self.steps = 0

    def step(self) -> None:
        i = self.steps
        self.steps += 1
        collection = self.uniq if i % 2 else self.plain
        body = {"code": f"c{i}"} if collection == self.uniq else {"title": f"t{i}", "n": i}
        record = self.api.create_record(collection, body)
        self.live.append((collection, record["id"]))
        if collection == self.plain:
            self.api.ok("PATCH", f"/api/collections/{collection}/records/{record['id']}", json={"n": i + 1})
        if i % 5 == 0:
            self.api.list_records(self.plain, perPage=20)
        if i % 7 == 0:
            self.api.ok("POST", "/api/batch", json={"requests": [
                {"method": "POST", "url": f"/api/collections/{self.uniq}/records", "body": {"code": f"b{i}"}}]})
        while len(self.live) > LIVE_RECORDS:
            old_collection, old_id = self.live.pop(0)
            self.api.ok("DELETE", f"/api/collections/{old_collection}/records/{old_id}", status=204)

    def run_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.step()


def measure() -> tuple[list[float], list[int], int]:
    """RSS and kept entries after the warm-up and after each third of the soak, and the number of load steps."""
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp) / "data", env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                                      "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
                                                      "LB_BATCH_ENABLED": "1"}).start()
        try:
            assert stack.proc is not None
            load = MixedLoad(Api(stack.url).sign_in_superuser())
            load.run_for(WARMUP_S)
            samples, kept = [rss_mb(stack.proc.pid)], [kept_entries(stack.moto_endpoint())]
            for _ in range(3):
                load.run_for(SOAK_S / 3)
                samples.append(rss_mb(stack.proc.pid))
                kept.append(kept_entries(stack.moto_endpoint()))
            return samples, kept, load.steps
        finally:
            stack.stop()


def report() -> None:
    print(f"Local stack memory under mixed load (LB_BENCH_SOAK_S={SOAK_S:.0f}, LB_BENCH_SOAK_WARMUP_S={WARMUP_S:.0f})")
    samples, kept, steps = measure()
    last_third = samples[3] - samples[2]
    print(f"  RSS after warm-up {samples[0]:.0f} MB, then after each third {samples[1]:.0f} / {samples[2]:.0f} / "
          f"{samples[3]:.0f} MB ({steps} load steps, live records constant)")
    print(f"  request logs and audit entries kept: {kept[0]} after warm-up, then {' / '.join(map(str, kept[1:]))} "
          f"(+{kept[3] - kept[2]} in the last third, data the stack is asked to keep)")
    goals.record("local stack", "RSS growth, last third of soak", f"<= {LAST_THIRD_BUDGET_MB:.0f} MB",
                 f"{samples[0]:.0f}->{samples[3]:.0f} MB, +{last_third:.0f} ({kept[3] - kept[2]} entries kept)",
                 last_third <= LAST_THIRD_BUDGET_MB)


if __name__ == "__main__":
    report()
