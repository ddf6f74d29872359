"""Cold-start benchmark: median import + first invoke per function in fresh processes, over a hello baseline."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared import resources

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("LB_BENCH_COLD_RUNS", "7"))

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import importlib
module = importlib.import_module(sys.argv[1])
event = json.loads(sys.argv[2])
class Context:  # Lambda's context, without importing the local stack (moto) into the measurement
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"; function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 29000
module.handler(event, Context())
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def _http(path: str) -> dict[str, Any]:
    from local.events import http_event

    return http_event(method="GET", path=path, raw_query="", headers=[], body=b"", route_key=f"GET {path}",
                      path_params={}, source_ip="127.0.0.1", host="bench")


def sample_event(fn: resources.FunctionDef) -> dict[str, Any]:
    """A first event that exercises the function's real path, including its first AWS call where it has one."""
    from local.events import websocket_event

    if fn.kind == "http":
        route = next((r for r in resources.ROUTES if r.function == fn.name and "{" not in r.path
                      and r.path != "$default" and r.method in ("GET", "ANY")), None)
        return _http(route.path if route else "/api/health")
    if fn.kind == "websocket":
        return websocket_event(event_type="DISCONNECT", connection_id="bench", host="bench", stage="ws",
                               source_ip="127.0.0.1")
    if fn.kind == "stream":
        return {"Records": [{"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
                             "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                             "dynamodb": {"Keys": {"pk": {"S": "x#1"}, "sk": {"S": "1"}},
                                          "SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"}}]}
    if fn.name == "jobs":
        from shared.jobs.messages import IndexBuildMessage

        # a build step of a collection that no longer exists: reads the checkpoint and the catalog, then ends
        body = IndexBuildMessage(job_id="bench", collection_id="pbc_bench").model_dump_json()
    else:
        body = json.dumps({"detail": {"action": "create", "collection_id": "c", "record_id": "r",
                                      "sequence_number": "1"}})
    attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000", "SenderId": "bench",
                  "ApproximateFirstReceiveTimestamp": "1700000000000"}  # what Lambda always sends
    return {"Records": [{"messageId": "1", "receiptHandle": "h", "body": body,
                         "attributes": attributes, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:1:q", "awsRegion": "us-east-1"}]}


def measure(module: str, event: dict[str, Any], env: dict[str, str]) -> float:
    """Median seconds over fresh interpreters."""
    times = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", _CHILD, module, json.dumps(event)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        times.append(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])
    return statistics.median(times)


def run() -> list[tuple[str, float, float]]:
    from tests.support.moto_cloud import running_cloud

    rows = []
    with running_cloud():
        env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"}
        baseline = measure("tests.bench.hello_function", _http("/hello"), env)
        rows.append(("hello (baseline)", baseline, 1.0))
        for fn in resources.FUNCTIONS:
            seconds = measure(fn.module, sample_event(fn), env)
            rows.append((fn.name, seconds, seconds / baseline))
    return rows


def report() -> None:
    print(f"Cold start: median import + first invoke over {RUNS} fresh processes, ratio to hello FastAPI+Mangum")
    for name, seconds, ratio in run():
        print(f"  {name:<18} {seconds * 1000:8.1f} ms   x{ratio:5.2f}")
