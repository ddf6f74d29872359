"""Upload benchmarks: what a multipart create with a file costs over the same create in JSON, on the in-process
stack (the real gateway emulation, records function and moto S3).

Paired (A B A B, median of per-pair ratios), as the machine is noisy: a JSON create, then the same create with
one file of `LB_BENCH_UPLOAD_SMALL` bytes, and with a file at the multipart limit (about 4.7 MB: API Gateway
base64-encodes a binary body into Lambda's 6 MB payload, docs/api-files.md). The limit figure is what direct
uploads to S3 are compared with.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench import goals

ROUNDS = int(os.environ.get("LB_BENCH_UPLOAD_ROUNDS", "7"))
SMALL = int(os.environ.get("LB_BENCH_UPLOAD_SMALL", "1024"))
# the largest single file a multipart create carries through the gateway (measured, docs/api-files.md)
AT_LIMIT = int(os.environ.get("LB_BENCH_UPLOAD_LIMIT", "4700000"))


def _timed(send: Any) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def measure(rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Seconds per create, per kind: `json`, `small`, `limit`, interleaved round by round."""
    from tests.support.in_process import InProcessStack
    from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api

    data = Path(tempfile.mkdtemp(prefix="lb-bench-uploads-")) / "data"
    stack = InProcessStack(data, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                      "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}).start()
    try:
        api = Api(stack.url).sign_in_superuser()
        api.create_collection({"name": "bench_uploads", "type": "base", "fields": [
            {"name": "title", "type": "text"}, {"name": "file", "type": "file", "maxSize": 10_000_000}]})
        path = "/api/collections/bench_uploads/records"
        small, limit = os.urandom(SMALL), os.urandom(AT_LIMIT)
        sends = {
            "json": lambda: api.request("POST", path, json={"title": "t"}),
            "small": lambda: api.request("POST", path, data={"title": "t"}, files=[("file", ("a.bin", small))]),
            "limit": lambda: api.request("POST", path, data={"title": "t"}, files=[("file", ("b.bin", limit))]),
        }
        for send in sends.values():
            _timed(send)  # warm: first-use imports and connections
        times: dict[str, list[float]] = {kind: [] for kind in sends}
        for _ in range(rounds):
            for kind, send in sends.items():
                times[kind].append(_timed(send))
        return times
    finally:
        stack.stop()


def report() -> None:
    times = measure()
    json_ms = statistics.median(times["json"]) * 1000
    small_ratio = statistics.median(s / j for s, j in zip(times["small"], times["json"], strict=True))
    limit_ms = statistics.median(times["limit"]) * 1000
    print(f"\nUploads (in-process stack, {ROUNDS} paired rounds): JSON create {json_ms:.1f} ms; "
          f"with a {SMALL}-byte file x{small_ratio:.2f}; with a {AT_LIMIT / 1e6:.1f} MB file {limit_ms:.0f} ms")
    goals.record("uploads", f"multipart create, {SMALL} B file vs JSON", "informational",
                 f"x{small_ratio:.2f} ({json_ms:.1f} ms JSON)", None)
    goals.record("uploads", "multipart create at the ~4.7 MB limit", "informational", f"{limit_ms:.0f} ms", None)


if __name__ == "__main__":
    report()
    goals.print_table()
