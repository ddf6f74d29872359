"""How long an unfiltered list's counter-backed `totalItems` lags a create, measured on the local stack over HTTP.

Each create is followed by polling the list (perPage=1) until its totalItems counts the new record: the lag is
from the create's response to the first list that shows it. Creates run one at a time, after a random pause so
that they land at any moment of the poller's cycle, so each lag is that of one write crossing the stream alone
(poll wait, GetRecords, the changes function's counter step). A burst then measures concurrent writers: the lag
from the last create's response until the total counts the whole burst.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.support.records_api import Api, unique
from tests.support.stack_process import StackProcess

CREATES = int(os.environ.get("LB_BENCH_LAG_CREATES", "50"))
POLL_S = 0.01
TIMEOUT_S = 10.0
# Longer than the poller's interval, so that creates fall at random phases of its cycle.
MAX_PAUSE_S = 0.3
BURST_WRITERS, BURST_PER_WRITER, BURSTS = 8, 5, 5


@dataclass(frozen=True)
class LagRun:
    """Lags in seconds, one per create, in order."""

    lags: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.lags)

    def describe(self) -> str:
        return (f"{len(self.lags)} creates: p50 {self.median * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms,"
                f" max {max(self.lags) * 1000:.0f} ms")


def seed_counter(api: Api, collection: str) -> int:
    """Create one record and wait until the collection's counter counts it (a warm-up); the total then."""
    api.create_record(collection, {"title": "seed"})
    return int(api.wait_total(collection, 1, timeout=TIMEOUT_S)["totalItems"])


def new_collection(api: Api) -> tuple[str, int]:
    collection = unique("lag")
    api.create_collection({"name": collection, "type": "base", "listRule": "", "createRule": "",
                           "fields": [{"name": "title", "type": "text"}]})
    return collection, seed_counter(api, collection)


def wait_counted(api: Api, collection: str, total: int, since: float) -> float:
    """Seconds from `since` until the list's totalItems reaches `total`."""
    while True:
        page = api.list_records(collection, perPage=1)
        now = time.perf_counter()
        if page["totalItems"] >= total:
            return now - since
        if now - since > TIMEOUT_S:
            raise AssertionError(f"totalItems still {page['totalItems']} after {TIMEOUT_S} s, expected {total}")
        time.sleep(POLL_S)


def measure_lag(api: Api, creates: int, *, seed: int = 1) -> LagRun:
    """Create `creates` records in a fresh base collection, one at a time, timing each until totalItems moves."""
    rng = random.Random(seed)
    collection, total = new_collection(api)
    lags: list[float] = []
    for i in range(creates):
        time.sleep(rng.uniform(0, MAX_PAUSE_S))
        api.create_record(collection, {"title": f"t{i}"})
        total += 1
        lags.append(wait_counted(api, collection, total, time.perf_counter()))
    return LagRun(lags)


def measure_burst(url: str, api: Api, bursts: int = BURSTS) -> LagRun:
    """Per burst of BURST_WRITERS x BURST_PER_WRITER concurrent creates: last response to a total counting all."""
    collection, total = new_collection(api)
    writers = [Api(url).sign_in_superuser() for _ in range(BURST_WRITERS)]

    def write(writer: Api) -> None:
        for i in range(BURST_PER_WRITER):
            writer.create_record(collection, {"title": f"b{i}"})

    lags: list[float] = []
    with ThreadPoolExecutor(BURST_WRITERS) as pool:
        for _ in range(bursts):
            list(pool.map(write, writers))
            total += BURST_WRITERS * BURST_PER_WRITER
            lags.append(wait_counted(api, collection, total, time.perf_counter()))
    return LagRun(lags)


def report() -> None:
    """Start a local stack, measure, print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp) / "data", env={"LB_SUPERUSER_EMAIL": "root@example.com",
                                                      "LB_SUPERUSER_PASSWORD": "Root-pass-1234567"}).start()
        try:
            api = Api(stack.url).sign_in_superuser()
            print("totalItems lag behind a create, local stack (create -> first list showing it)")
            print("  one at a time:  " + measure_lag(api, CREATES).describe())
            burst = measure_burst(stack.url, api)
            print(f"  bursts of {BURST_WRITERS} writers x {BURST_PER_WRITER} creates, last create -> total counts all: "
                  + burst.describe().replace("creates", "bursts"))
        finally:
            stack.stop()


if __name__ == "__main__":
    report()
