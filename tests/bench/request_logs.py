"""Request logs benchmark: what logging a request costs the request, and what storing it costs.

- CPU on the request path: `log_request` (build the log from the answered request, print its line) timed over
  REQUESTS calls, median of ROUNDS, and the line's size (what CloudWatch Logs ingests per request).
- Writes: LINES request log lines delivered through the emulated subscription to the log writer on moto; the
  DynamoDB items and BatchWriteItem calls it made per request logged.
- Lag on the local stack: LAG_REQUESTS requests at random moments, each timed from its answer until
  `GET /api/logs` lists its log (the subscription's 1 s batching window, the writer, the poll every 50 ms).
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import time
from typing import Any

from tests.bench import goals

REQUESTS = int(os.environ.get("LB_BENCH_LOGS_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("LB_BENCH_LOGS_ROUNDS", "5"))
LINES = int(os.environ.get("LB_BENCH_LOGS_LINES", "500"))
LAG_REQUESTS = int(os.environ.get("LB_BENCH_LOGS_LAG_REQUESTS", "8"))
CPU_GOAL_MS = 0.05

SCOPE: dict[str, Any] = {
    "type": "http", "method": "GET", "path": "/api/collections/posts/records/abc123def456ghi",
    "headers": [(b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"), (b"referer", b"https://app.test/")],
    "client": ("203.0.113.9", 0), "state": {},
    "aws.event": {"rawPath": "/api/collections/posts/records/abc123def456ghi", "rawQueryString": "expand=author",
                  "requestContext": {"http": {"sourceIp": "203.0.113.9"}}},
}


def request_path_cost() -> tuple[float, int]:
    """(median CPU ms per logged request, bytes of its line)."""
    from shared.logs.middleware import log_request

    sink = io.StringIO()
    rounds = []
    with contextlib.redirect_stdout(sink):
        for _ in range(ROUNDS):
            started = time.process_time()
            for _ in range(REQUESTS):
                log_request(SCOPE, 200, b"", int(time.time() * 1000), 1.5)
            rounds.append((time.process_time() - started) / REQUESTS * 1000)
    return statistics.median(rounds), len(sink.getvalue().splitlines()[0].encode())


def writes_per_log() -> tuple[float, float]:
    """(DynamoDB items written, BatchWriteItem calls) per request log, through the subscription and writer."""
    from local.invoke import invoke
    from local.log_subscriptions import LogSubscriptions
    from shared import aws
    from shared.logs.emitter import request_log_line
    from shared.logs.model import LogEntry, new_log_id
    from shared.logs.repository import StoredLog
    from tests.support.moto_cloud import running_cloud

    calls = {"BatchWriteItem": 0, "items": 0}

    class Counting:
        def __init__(self, real: Any) -> None:
            self._real = real

        def __getattr__(self, name: str) -> Any:
            attr = getattr(self._real, name)
            if name != "batch_write_item":
                return attr

            def counted(**params: Any) -> Any:
                calls["BatchWriteItem"] += 1
                calls["items"] += sum(len(v) for v in params["RequestItems"].values())
                return attr(**params)
            return counted

    with running_cloud(), aws.clients_from(lambda service, url: Counting(aws.sdk_client(service, url))):
        subscriptions = LogSubscriptions(invoke)
        now = int(time.time() * 1000)
        for n in range(LINES):
            entry = LogEntry(new_log_id(now + n), now + n, 0, "GET /api/health", {"type": "request", "status": 200})
            subscriptions.accept("records", now + n, request_log_line(StoredLog(entry, now // 1000 + 86_400)))
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # the writer's metrics line
            subscriptions.deliver_due(force=True)
    return calls["items"] / LINES, calls["BatchWriteItem"] / LINES


def local_lag_s() -> list[float]:
    """Seconds from each request's answer until its log is listed, on a local stack of its own."""
    import random
    import tempfile
    import uuid
    from pathlib import Path

    from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api
    from tests.support.stack_process import StackProcess

    lags = []
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp) / "data", env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                                      "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}).start()
        try:
            api = Api(stack.url).sign_in_superuser()
            for _ in range(LAG_REQUESTS):
                time.sleep(random.uniform(0, 1))  # at a random moment of the batching window
                marker = uuid.uuid4().hex[:10]
                api.request("GET", "/api/health", role="guest", params={"lag": marker})
                answered = time.monotonic()
                while api.ok("GET", "/api/logs", params={"filter": f'data.url ~ "{marker}"',
                                                         "skipTotal": "1"})["items"] == []:
                    if time.monotonic() - answered > 30:
                        raise RuntimeError("a request log did not land within 30 s")
                    time.sleep(0.05)
                lags.append(time.monotonic() - answered)
        finally:
            stack.stop()
    return lags


def report() -> None:
    cpu_ms, line_bytes = request_path_cost()
    items, batch_calls = writes_per_log()
    lags = local_lag_s()
    print(f"Request logs: CPU on the request path, median of {ROUNDS} rounds of {REQUESTS}; writes over {LINES} logs")
    print(f"  request log CPU      {cpu_ms:6.3f} ms per request, line {line_bytes} bytes")
    print(f"  DynamoDB writes      {items:.2f} items and {batch_calls:.3f} BatchWriteItem calls per request")
    goals.record("logs", "request log CPU per request", f"<= {CPU_GOAL_MS:g} ms", f"{cpu_ms:.3f} ms",
                 cpu_ms <= CPU_GOAL_MS)
    goals.record("logs", "DynamoDB writes per request", "<= 1 item", f"{items:.2f} ({batch_calls:.2f} calls)",
                 items <= 1.0)
    goals.record("logs", "log line ingested per request", "-", f"{line_bytes} bytes", None)
    median, worst = statistics.median(lags), max(lags)
    print(f"  local lag            median {median:.2f} s, max {worst:.2f} s over {len(lags)} requests")
    goals.record("logs", "local lag, answer to listed", "reported", f"p50 {median:.2f} s, max {worst:.2f} s", None)
