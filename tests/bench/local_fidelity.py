"""What the local stack's Lambda fidelity costs per invocation: limits, timeout thread and per-invocation log keys.

Paired runs (A B A B...) of the same warm function on the same event: A calls the handler directly, as the local
stack did before (same thread, no limits); B goes through local.invoke.invoke (payload sizes both ways, the
handler on a worker thread with the function's timeout, its own service). Reported: the median of the paired
per-invocation differences, and of their ratios; and apart, the CPU of an invocation's context-local log keys,
which both A and B pay (shared/observability.py).

    python -m tests.bench.local_fidelity   (LB_BENCH_FIDELITY_ROUNDS, LB_BENCH_FIDELITY_CALLS)
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from tests.bench import goals

ROUNDS = int(os.environ.get("LB_BENCH_FIDELITY_ROUNDS", "9"))
CALLS = int(os.environ.get("LB_BENCH_FIDELITY_CALLS", "200"))
# Informational bound: the fidelity must stay small next to a warm invocation (the health function's ~1 ms).
GOAL_US = 200.0


def _event() -> dict[str, Any]:
    from local.events import http_event

    return http_event(method="GET", path="/api/health", raw_query="", headers=[("user-agent", "bench")], body=b"",
                      route_key="GET /api/health", path_params={}, source_ip="127.0.0.1", host="127.0.0.1")


def _per_call_s(call: Any) -> float:
    start = time.process_time()
    for _ in range(CALLS):
        call()
    return (time.process_time() - start) / CALLS


def measure() -> tuple[float, float]:
    """(median extra CPU seconds per invocation, median ratio B/A)."""
    from local.events import LambdaContext
    from local.invoke import handler_for, invoke
    from shared.observability import function_service
    from tests.support.moto_cloud import running_cloud

    with running_cloud():  # as on the local stack, the function's reads (its runtime settings) reach moto
        return _paired(handler_for("health"), invoke, LambdaContext, function_service)


def _paired(handler: Any, invoke: Any, context: Any, function_service: Any) -> tuple[float, float]:
    event = _event()

    def direct() -> Any:
        with function_service("health"):
            return handler(event, context(function_name="lambdabase-health"))

    def through_invoke() -> Any:
        return invoke("health", event)

    direct()
    through_invoke()
    diffs, ratios = [], []
    for _ in range(ROUNDS):
        a, b = _per_call_s(direct), _per_call_s(through_invoke)
        diffs.append(b - a)
        ratios.append(b / a)
    return statistics.median(diffs), statistics.median(ratios)


def log_keys_us(calls: int = 20_000) -> float:
    """CPU per invocation of the context-local log keys (computing, setting and removing them), median of 5."""
    from local.events import LambdaContext
    from shared.observability import invocation_keys, logger

    context = LambdaContext(function_name="lambdabase-bench")
    event = {"requestContext": {"requestId": "r"}}

    def once() -> None:
        keys = invocation_keys("bench", event, context, "requestContext.requestId")
        logger.thread_safe_append_keys(**keys)
        logger.thread_safe_remove_keys(list(keys))

    runs = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls):
            once()
        runs.append((time.process_time() - start) / calls * 1e6)
    return statistics.median(runs)


def report() -> None:
    """Measure, print and record the per-invocation cost of the local Lambda fidelity."""
    import contextlib
    import io

    # The function's request metrics go to stdout; they are not the report.
    with contextlib.redirect_stdout(io.StringIO()):
        extra_s, ratio = measure()
    extra_us = extra_s * 1e6
    print(f"local fidelity: +{extra_us:.0f} us CPU per warm invocation (x{ratio:.2f} of a direct handler call), "
          f"{ROUNDS} paired rounds of {CALLS}")
    keys_us = log_keys_us()
    print(f"  and, in both, the invocation's own log context (keys computed, set, removed): {keys_us:.1f} us")
    goals.record("local stack", "Lambda limits and timeout thread, per invocation", f"<= {GOAL_US:.0f} us",
                 f"+{extra_us:.0f} us (x{ratio:.2f})", extra_us <= GOAL_US)
    goals.record("local stack", "an invocation's own log context (CPU)", "-", f"{keys_us:.1f} us", None)


if __name__ == "__main__":
    report()
    goals.print_table()
