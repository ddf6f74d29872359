"""Warm-request benchmark: CPU per request of the records function's handler, with a fake DynamoDB client.

An API Gateway v2 event goes into `functions.records.handler.handler` and its response comes out, in this
process, as on a warm Lambda instance. DynamoDB answers from `fake_dynamodb.ReplayingClient`, which recorded
moto's answers to the same requests first, so what is measured is the function (ours, FastAPI, Mangum,
Powertools), not the SDK or the emulator. Each figure is the median over ROUNDS of time.process_time() spent
on REQUESTS invocations, divided by REQUESTS.

The collection holds RECORDS records (LB_BENCH_WARM_RECORDS, default 100): with only a page and one, the
first round of shard reads would hold them all, and the page would not pay for the merge's second round.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from tests.bench import cold_world, goals
from tests.bench.fake_dynamodb import ReplayingClient

REQUESTS = int(os.environ.get("LB_BENCH_WARM_REQUESTS", "200"))
RECORDS = int(os.environ.get("LB_BENCH_WARM_RECORDS", "100"))
ROUNDS = int(os.environ.get("LB_BENCH_WARM_ROUNDS", "7"))
GOALS_MS = {"GET record": 1.0, f"list page of {cold_world.PAGE}": 2.0}


class _Context:
    function_name = "records"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:records"

    def get_remaining_time_in_millis(self) -> int:
        return 29000


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Metrics go to stdout as on Lambda (where writing them is part of the cost), here to /dev/null."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def cpu_ms_per_request(handler: Any, event: dict[str, Any], expected: Any) -> float:
    """Median over ROUNDS of CPU milliseconds per invocation; every response must be the recorded one."""
    context = _Context()
    rounds = []
    for _ in range(ROUNDS):
        with _quiet():
            started = time.process_time()
            for _ in range(REQUESTS):
                response = handler(event, context)
            elapsed = time.process_time() - started
        if cold_world.body_of(response) != expected:
            raise RuntimeError(f"a replayed response differs from the recorded one: {str(response)[:300]}")
        rounds.append(elapsed / REQUESTS * 1000)
    return statistics.median(rounds)


RECORDED_CALLS = 35


def _more_posts(count: int) -> None:
    """Posts with generated ids (spread over the write shards as real ones are), next to the seeded ones."""
    from shared.composition import composition
    from shared.records.context import RequestContext
    from shared.records.scope import RecordScope

    svc = composition()
    scope = RecordScope(svc.collections, svc.records, RequestContext(method="POST", system=True), svc.hooks)
    for n in range(max(0, count)):
        scope.writer.create(cold_world.POSTS, {"title": f"more {n}", "score": n, "done": False})


def run() -> dict[str, float]:
    from shared import aws, concurrent_calls
    from tests.support.in_process import cold_start
    from tests.support.moto_cloud import running_cloud

    fakes: list[ReplayingClient] = []

    def fake(service: str, endpoint_url: str | None) -> Any:
        wrapped = ReplayingClient(aws.sdk_client(service, endpoint_url))
        fakes.append(wrapped)
        return wrapped

    events = {"GET record": cold_world.record_event(),
              f"list page of {cold_world.PAGE}": cold_world.list_event()}
    figures = {}
    env = {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        # as on Lambda, where a list's shard reads wait on the network side by side
        with running_cloud(), aws.clients_from(fake), concurrent_calls.over_network():
            cold_world.seed()
            _more_posts(RECORDS - cold_world.PAGE - 1)
            cold_start()  # the function starts after the data exists, with this process's settings
            from functions.records.handler import handler

            expected = {}
            with _quiet():
                for name, event in events.items():
                    # recorded until the rate limiter has synced its tally at least once (every 30 requests of
                    # a client under `/api/`): the first call of a cold instance makes reads a warm one does not,
                    # and a warm instance's sync is one of its calls, replayed like the others
                    for _ in range(RECORDED_CALLS):
                        response = handler(event, _Context())
                    if cold_world.status_of(response) != 200:
                        raise RuntimeError(f"{name} answered {response}")
                    expected[name] = cold_world.body_of(response)
            for client in fakes:
                client.replay()
            for name, event in events.items():
                figures[name] = cpu_ms_per_request(handler, event, expected[name])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        sys.modules.pop("functions.records.handler", None)
    return figures


def report() -> None:
    print(f"Warm requests: CPU per request through the records handler, fake DynamoDB, median of {ROUNDS} rounds "
          f"of {REQUESTS}, {RECORDS} records")
    for name, ms in run().items():
        print(f"  {name:<18} {ms:6.3f} ms")
        goal = GOALS_MS[name]
        goals.record("warm", f"{name} CPU", f"<= {goal:g} ms", f"{ms:.2f} ms", ms <= goal)
