"""Requests per second of the local stack against the real PocketBase 0.40.6, side by side, same data and client.

Both servers run as whole processes on this machine (PocketBase as the conformance suite starts it: its own
--dir and --migrationsDir; the local stack as `lambdabase run`), hold the same collection with the same records,
and answer the same guest requests from one httpx client, sequentially. Rounds alternate A B A B; each pair of
rounds gives a ratio (local stack rps / PocketBase rps) and the figure is the median ratio, because the machine
is shared and noisy. Settings: LB_BENCH_SPEED_RECORDS (records in the collection), LB_BENCH_SPEED_REQUESTS
(requests a round), LB_BENCH_SPEED_ROUNDS (rounds a side).

Rounds start once the local stack has settled: its stream and queue consumers work off the seeding's creates
(counters, events, deliveries) for some seconds after the last one is answered, where PocketBase did that
work inside each create. Measuring before then would bill the seeding's backlog to the reads. The stack's own
CPU per request is reported too (from /proc), a figure less noisy than requests per second on a shared
machine.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.bench import goals
from tests.conformance.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, PocketBaseProcess
from tests.support.stack_process import StackProcess

RECORDS = int(os.environ.get("LB_BENCH_SPEED_RECORDS", "100"))
REQUESTS = int(os.environ.get("LB_BENCH_SPEED_REQUESTS", "60"))
ROUNDS = int(os.environ.get("LB_BENCH_SPEED_ROUNDS", "5"))
GOAL_RATIO = 0.25
COLLECTION = "speed"
PAGE = 20


def sign_in(client: httpx.Client) -> dict[str, str]:
    response = client.post("/api/collections/_superusers/auth-with-password",
                           json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
    response.raise_for_status()
    return {"Authorization": response.json()["token"]}


def seed(client: httpx.Client, records: int) -> list[str]:
    """The same public collection and records on either server; returns the record ids."""
    admin = sign_in(client)
    client.post("/api/collections", headers=admin, json={
        "name": COLLECTION, "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}],
    }).raise_for_status()
    ids = []
    for i in range(records):
        response = client.post(f"/api/collections/{COLLECTION}/records", headers=admin,
                               json={"title": f"record {i}", "n": i})
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def requests_per_second(send: Callable[[int], httpx.Response], requests: int) -> float:
    started = time.perf_counter()
    for i in range(requests):
        response = send(i)
        assert response.status_code == 200, (response.status_code, response.text[:200])
    return requests / (time.perf_counter() - started)


def paired_ratio(ours: Callable[[], float], theirs: Callable[[], float], rounds: int) -> tuple[float, float, float]:
    """Median of (ours / theirs) over rounds run A B A B; also the median rps of each side."""
    ratios, mine, oracle = [], [], []
    for _ in range(rounds):
        a = theirs()
        b = ours()
        oracle.append(a)
        mine.append(b)
        ratios.append(b / a)
    return statistics.median(ratios), statistics.median(mine), statistics.median(oracle)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, timeout_s: float = 30.0) -> None:
    """Wait until the process uses under a tenth of a core over a second (its consumers are idle)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.1:
            return


def measure(stack_url: str, pocketbase_url: str, stack_pid: int) -> dict[str, tuple[float, float, float]]:
    with httpx.Client(base_url=stack_url, timeout=60) as lb, httpx.Client(base_url=pocketbase_url, timeout=60) as pb:
        lb_ids, pb_ids = seed(lb, RECORDS), seed(pb, RECORDS)
        settle(stack_pid)
        base = f"/api/collections/{COLLECTION}/records"

        def get_record(client: httpx.Client, ids: list[str]) -> Callable[[], float]:
            return lambda: requests_per_second(lambda i: client.get(f"{base}/{ids[i % len(ids)]}"), REQUESTS)

        def list_page(client: httpx.Client) -> Callable[[], float]:
            return lambda: requests_per_second(lambda i: client.get(base, params={"perPage": PAGE}), REQUESTS)

        def with_cpu(run: Callable[[], float], into: list[float]) -> Callable[[], float]:
            def measured() -> float:
                before = cpu_seconds(stack_pid)
                rps = run()
                into.append((cpu_seconds(stack_pid) - before) / REQUESTS * 1000)
                return rps
            return measured

        get_record(lb, lb_ids)(), get_record(pb, pb_ids)()  # warm both (imports, caches, connections)
        list_page(lb)(), list_page(pb)()
        get_cpu: list[float] = []
        list_cpu: list[float] = []
        figures = {
            "GET record": paired_ratio(with_cpu(get_record(lb, lb_ids), get_cpu), get_record(pb, pb_ids), ROUNDS),
            f"list page of {PAGE}": paired_ratio(with_cpu(list_page(lb), list_cpu), list_page(pb), ROUNDS),
        }
        STACK_CPU_MS.update({"GET record": statistics.median(get_cpu),
                             f"list page of {PAGE}": statistics.median(list_cpu)})
        return figures


# The local stack's CPU per request in the last measure(), by request (median of its rounds).
STACK_CPU_MS: dict[str, float] = {}


def report() -> None:
    """Start PocketBase and the local stack, seed both, measure, print and record the ratios."""
    print(f"Local stack vs PocketBase 0.40.6, requests per second (LB_BENCH_SPEED_RECORDS={RECORDS}, "
          f"LB_BENCH_SPEED_REQUESTS={REQUESTS}, LB_BENCH_SPEED_ROUNDS={ROUNDS}), goal >= {GOAL_RATIO}x")
    with tempfile.TemporaryDirectory() as tmp:
        for side in ("pb", "lb"):
            Path(tmp, side).mkdir()
        pocketbase = PocketBaseProcess(Path(tmp) / "pb").launch()
        stack = StackProcess(Path(tmp) / "lb" / "data", env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                                             "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD})
        try:
            stack.start()
            pocketbase.wait_healthy()
            assert stack.proc is not None
            figures = measure(stack.url, pocketbase.url, stack.proc.pid)
        finally:
            pocketbase.stop()
            if stack.proc is not None:
                stack.stop()
    for name, (ratio, ours, theirs) in figures.items():
        print(f"  {name:<16} local stack {ours:7.1f} rps, PocketBase {theirs:7.1f} rps: x{ratio:.3f} "
              f"(local stack CPU {STACK_CPU_MS.get(name, 0):.2f} ms a request)")
        # the stack's CPU beside the ratio: on a shared machine the ratio moves with the load, the CPU less
        goals.record("local stack", f"{name} rps vs PocketBase", f">= {GOAL_RATIO}x",
                     f"x{ratio:.3f} ({STACK_CPU_MS.get(name, 0):.2f} ms CPU)", ratio >= GOAL_RATIO)


if __name__ == "__main__":
    report()
