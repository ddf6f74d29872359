"""Each function logs, measures and traces as its own service: its POWERTOOLS_SERVICE_NAME, or locally its name."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local.events import LambdaContext, http_event
from local.invoke import invoke
from shared.observability import MetricUnit, function_service, instrument, logger, metrics, service_name

ROOT = Path(__file__).resolve().parents[3]


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _log_and_measure(event: dict[str, Any], _context: Any) -> str:
    logger.info("working", extra={"step": event["step"]})
    metrics.add_metric(name="Steps", unit=MetricUnit.Count, value=1)
    return "done"


handler = instrument(_log_and_measure)

# Run in a fresh interpreter, as a cold start on Lambda: the service comes from the environment alone.
COLD_START = """
import json, sys
from local.events import LambdaContext
from shared.observability import get_tracer
import tests.unit.observability.test_service_name as t
t.handler({"step": 1}, LambdaContext(function_name="lambdabase-records-Function-ABC"))
print(json.dumps({"xray_loaded": "aws_xray_sdk" in sys.modules, "tracer": get_tracer() is not None}))
"""


def cold_start(env: dict[str, str]) -> list[dict[str, Any]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_LAMBDA"))}
    out = subprocess.run([sys.executable, "-c", COLD_START], cwd=ROOT, env={**base, **env}, capture_output=True,
                         text=True, timeout=120, check=True)
    return json_lines(out.stdout)


def test_on_aws_logs_and_metrics_carry_the_functions_own_service_name() -> None:
    # Given a function whose environment names its service, as CDK sets it, with tracing disabled
    lines = cold_start({"POWERTOOLS_SERVICE_NAME": "records", "AWS_LAMBDA_FUNCTION_NAME": "lambdabase-records",
                        "POWERTOOLS_TRACE_DISABLED": "true"})
    # When it handles an event that logs and records a metric
    log = next(line for line in lines if line.get("message") == "working")
    emf = next(line for line in lines if "_aws" in line)
    # Then both carry that service, and no Tracer (nor the X-Ray SDK) was loaded
    assert (log["service"], log["step"]) == ("records", 1)
    assert emf["service"] == "records" and emf["Steps"] == [1.0]
    assert lines[-1] == {"xray_loaded": False, "tracer": False}


def test_with_tracing_on_the_tracer_exists() -> None:
    lines = cold_start({"POWERTOOLS_SERVICE_NAME": "auth", "AWS_LAMBDA_FUNCTION_NAME": "lambdabase-auth",
                        "POWERTOOLS_TRACE_DISABLED": "false", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"})
    assert lines[-1] == {"xray_loaded": True, "tracer": True}


@pytest.fixture()
def log_output() -> Any:
    """What the shared Logger writes, read from its own handler (it holds the stdout of import time)."""
    stream_handler = logger.registered_handler
    assert isinstance(stream_handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = stream_handler.setStream(buffer)
    yield buffer
    stream_handler.setStream(previous)


def test_locally_each_invocation_runs_as_its_functions_service(capfd: pytest.CaptureFixture[str],
                                                                log_output: io.StringIO) -> None:
    # Given one process serving several functions, as the local stack does
    capfd.readouterr()
    # When two functions' invocations run in turn
    with function_service("changes"):
        handler({"step": 1}, LambdaContext(function_name="lambdabase-changes"))
    with function_service("deliveries"):
        handler({"step": 2}, LambdaContext(function_name="lambdabase-deliveries"))
    logger.info("between invocations")
    # Then each one's logs and metrics carry its own service, and the process's logs go back to the default
    logs = {line["message"] + str(line.get("step", "")): line["service"] for line in json_lines(log_output.getvalue())}
    assert logs == {"working1": "changes", "working2": "deliveries", "between invocations": service_name()}
    emf = [line for line in json_lines(capfd.readouterr().out) if "_aws" in line]
    assert [line["service"] for line in emf] == ["changes", "deliveries"]


def test_the_local_stack_invokes_a_real_function_as_its_service(capfd: pytest.CaptureFixture[str]) -> None:
    # Given the health function, invoked as the local gateway invokes it
    event = http_event(method="GET", path="/api/health", raw_query="", headers=[("host", "127.0.0.1")], body=b"",
                       route_key="$default", path_params={}, source_ip="127.0.0.1", host="127.0.0.1")
    capfd.readouterr()
    # When it serves a request
    response = invoke("health", event)
    # Then its request metric names the function as service and the route it served
    assert response["statusCode"] == 200
    [emf] = [line for line in json_lines(capfd.readouterr().out) if "Requests" in line]
    assert (emf["service"], emf["route"], emf["status"]) == ("health", "GET /api/health", "2xx")


def test_concurrent_invocations_publish_their_own_metrics_each_once(capfd: pytest.CaptureFixture[str]) -> None:
    # Given two functions whose invocations overlap in one process, as the local stack runs its consumers
    import threading

    both_started = threading.Barrier(2)

    def measure_twice(event: dict[str, Any], _context: Any) -> str:
        metrics.add_metric(name="Steps", unit=MetricUnit.Count, value=1)
        both_started.wait(timeout=10)  # the other invocation has added its metric too before either flushes
        metrics.add_metric(name="Steps", unit=MetricUnit.Count, value=1)
        return event["name"]

    overlapping = instrument(measure_twice)

    def run(name: str) -> None:
        with function_service(name):
            overlapping({"name": name}, LambdaContext(function_name=f"lambdabase-{name}"))

    capfd.readouterr()
    # When both run at once
    threads = [threading.Thread(target=run, args=(name,)) for name in ("changes", "deliveries")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    # Then each publishes one metric document with its own two steps, under its own service
    emf = [line for line in json_lines(capfd.readouterr().out) if "Steps" in line]
    assert sorted((line["service"], line["Steps"]) for line in emf) == [("changes", [1.0, 1.0]),
                                                                       ("deliveries", [1.0, 1.0])]
