"""Direct upload benchmark: a 50 MB file straight to S3 through a slot and attached, versus one multipart create
through the API at its size limit (about 4.7 MB: API Gateway base64-encodes a binary body into Lambda's 6 MB
payload, docs/api-files.md), on the in-process stack (the gateway emulation, the functions, moto S3).

Paired (A B A B, median of per-pair ratios), as the machine is noisy. A direct upload is the slot request, the
presigned POST to moto's loopback server (a real socket, as a browser's), and the JSON create that attaches it
(HeadObject, a ranged GET, the server-side copy, the commit, the staging delete). The API create goes through
the in-process ASGI transport, no socket: if anything the comparison favours it.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.bench import goals

ROUNDS = int(os.environ.get("LB_BENCH_DIRECT_ROUNDS", "3"))
DIRECT_BYTES = int(os.environ.get("LB_BENCH_DIRECT_BYTES", "50000000"))
AT_LIMIT = int(os.environ.get("LB_BENCH_UPLOAD_LIMIT", "4700000"))


def measure(rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Seconds per upload, `limit` (through the API) and `direct` (to S3, then attached), round by round."""
    from tests.support.in_process import InProcessStack
    from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api

    data = Path(tempfile.mkdtemp(prefix="lb-bench-direct-")) / "data"
    stack = InProcessStack(data, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                      "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}).start()
    try:
        api = Api(stack.url).sign_in_superuser()
        api.create_collection({"name": "bench_direct", "type": "base", "fields": [
            {"name": "file", "type": "file", "maxSize": max(DIRECT_BYTES, AT_LIMIT) + 1}]})
        path = "/api/collections/bench_direct/records"
        limit, big = os.urandom(AT_LIMIT), os.urandom(DIRECT_BYTES)

        def through_api() -> Any:
            return api.request("POST", path, files=[("file", ("limit.bin", limit))])

        def direct() -> Any:
            slot = api.ok("POST", "/api/files/uploads", json={
                "collection": "bench_direct", "field": "file", "filename": "big.bin", "size": len(big)})
            sent = httpx.post(slot["post"]["url"], data=slot["post"]["fields"], files={"file": ("big.bin", big)},
                              timeout=120)
            assert sent.status_code in (200, 201, 204), sent.text
            return api.request("POST", path, json={"file": slot["slot"]})

        sends = {"limit": through_api, "direct": direct}
        for send in sends.values():
            _timed(send)  # warm: first-use imports and connections
        times: dict[str, list[float]] = {kind: [] for kind in sends}
        for _ in range(rounds):
            for kind, send in sends.items():
                times[kind].append(_timed(send))
        return times
    finally:
        stack.stop()


def _timed(send: Any) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def report() -> None:
    times = measure()
    ratio = statistics.median(d / a for d, a in zip(times["direct"], times["limit"], strict=True))
    size_ratio = DIRECT_BYTES / AT_LIMIT
    direct_ms, limit_ms = (statistics.median(times[k]) * 1000 for k in ("direct", "limit"))
    print(f"\nDirect uploads (in-process stack, {ROUNDS} paired rounds): {DIRECT_BYTES / 1e6:.0f} MB direct "
          f"{direct_ms:.0f} ms vs a {AT_LIMIT / 1e6:.1f} MB multipart create {limit_ms:.0f} ms: x{ratio:.2f} the time "
          f"for x{size_ratio:.1f} the bytes")
    # a direct upload moves bytes at least as fast as the API does when it costs less than the bytes' ratio
    goals.record("files", f"direct {DIRECT_BYTES / 1e6:.0f} MB upload / {AT_LIMIT / 1e6:.1f} MB API multipart time",
                 f"< x{size_ratio:.1f} (the size ratio)", f"x{ratio:.2f} ({direct_ms:.0f} vs {limit_ms:.0f} ms)",
                 ratio < size_ratio)


if __name__ == "__main__":
    report()
    goals.print_table()
