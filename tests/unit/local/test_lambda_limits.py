"""Lambda's invocation limits and API Gateway's integration timeout, enforced by the local gateway with the
answers API Gateway gives: configured small here so that no test sends 6 MB or waits 30 s."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from starlette.testclient import TestClient

from local.events import LambdaContext, http_event
from local.gateway import GatewaySettings, create_gateway
from local.invoke import (
    FunctionTimeoutError,
    LambdaLimits,
    RequestTooLargeError,
    ResponseTooLargeError,
    invoke,
    payload_size,
    run_handler,
)

TOO_LARGE = {"message": "Request Entity Too Large"}
INTERNAL = {"message": "Internal Server Error"}
UNAVAILABLE = {"message": "Service Unavailable"}


def _gateway(invoker: Any = invoke, **settings: Any) -> TestClient:
    limits = {k: v for k, v in settings.items() if k in LambdaLimits.model_fields}
    gateway = {k: v for k, v in settings.items() if k in GatewaySettings.model_fields}
    return TestClient(create_gateway(settings=GatewaySettings(**gateway), limits=LambdaLimits(**limits),
                                     invoker=invoker), base_url="http://127.0.0.1:8090")


class SlowFunction:
    """A function that takes `seconds` to answer (released early by the test), with a timeout of `timeout_s`."""

    def __init__(self, seconds: float, timeout_s: float) -> None:
        self.seconds, self.timeout_s = seconds, timeout_s
        self.released = threading.Event()

    def handler(self, event: dict[str, Any], context: Any) -> Any:
        self.released.wait(self.seconds)
        return {"statusCode": 200, "body": "{}"}

    def __call__(self, name: str, event: dict[str, Any], *, limits: LambdaLimits,
                 caller_timeout_s: float | None = None) -> Any:
        """The gateway's invoker: Lambda's run of this handler, as local.invoke runs a real one."""
        return run_handler(self.handler, event, LambdaContext(function_name=name, timeout_s=self.timeout_s),
                           limits=limits, caller_timeout_s=caller_timeout_s)


def _health_event(body: bytes = b"") -> dict[str, Any]:
    return http_event(method="GET", path="/api/health", raw_query="", headers=[], body=body,
                      route_key="GET /api/health", path_params={}, source_ip="127.0.0.1", host="h")


def test_the_defaults_are_lambdas_and_api_gateways() -> None:
    assert (LambdaLimits().request_max_bytes, LambdaLimits().response_max_bytes) == (6_291_456, 6_291_556)
    assert LambdaLimits().function_timeout_s is None  # each function's own timeout from shared/resources.py
    assert GatewaySettings().integration_timeout_s == 30.0


def test_an_event_over_the_request_limit_is_refused_before_the_function_runs() -> None:
    # Given an event larger than the configured request limit
    event = _health_event(b"x" * 5_000)
    # When it is invoked, Then Lambda's RequestEntityTooLargeException
    with pytest.raises(RequestTooLargeError):
        invoke("health", event, limits=LambdaLimits(request_max_bytes=payload_size(event) - 1))
    # And at the limit exactly it runs
    assert invoke("health", event, limits=LambdaLimits(request_max_bytes=payload_size(event)))["statusCode"] == 200


def test_a_result_over_the_response_limit_fails_the_invocation() -> None:
    with pytest.raises(ResponseTooLargeError):
        invoke("health", _health_event(), limits=LambdaLimits(response_max_bytes=50))


def test_a_function_past_its_timeout_fails_the_invocation() -> None:
    # Given a function that needs 2 s with a 0.2 s timeout
    slow = SlowFunction(seconds=2, timeout_s=0.2)
    # When it is invoked, Then Lambda's timeout, without waiting for the function
    with pytest.raises(FunctionTimeoutError, match=r"Task timed out after 0\.20 seconds"):
        run_handler(slow.handler, _health_event(), LambdaContext(function_name="f", timeout_s=0.2),
                    limits=LambdaLimits())
    slow.released.set()


def test_every_function_gets_its_declared_timeout() -> None:
    # Given a real function, When invoked with the declared timeout, Then it answers within it
    assert invoke("health", _health_event())["statusCode"] == 200


def test_the_gateway_answers_413_to_a_request_lambda_refuses() -> None:
    response = _gateway(request_max_bytes=4_000).post("/api/health", content=b"x" * 5_000,
                                                      headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_the_gateway_answers_500_to_a_response_over_lambdas_limit() -> None:
    response = _gateway(response_max_bytes=50).get("/api/health")
    assert (response.status_code, response.json()) == (500, INTERNAL)


def test_the_gateway_answers_500_when_the_function_times_out_first() -> None:
    # Given a function whose own timeout (0.2 s) is shorter than the integration timeout (1 s)
    slow = SlowFunction(seconds=3, timeout_s=0.2)
    response = _gateway(slow, integration_timeout_s=1).get("/api/health")
    slow.released.set()
    # Then Lambda's failed invocation, which API Gateway answers 500
    assert (response.status_code, response.json()) == (500, INTERNAL)


def test_the_gateway_answers_503_past_its_integration_timeout() -> None:
    # Given a function still running when API Gateway's integration timeout (0.2 s) passes
    slow = SlowFunction(seconds=3, timeout_s=29)
    response = _gateway(slow, integration_timeout_s=0.2).get("/api/health")
    slow.released.set()
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)


def test_an_unhandled_error_in_a_function_is_api_gateways_500() -> None:
    def failing(name: str, event: dict[str, Any], **_: Any) -> Any:
        raise RuntimeError("bug")

    response = _gateway(failing).get("/api/health")
    assert (response.status_code, response.json()) == (500, INTERNAL)


def test_within_the_limits_the_function_answers() -> None:
    response = _gateway(request_max_bytes=100_000, integration_timeout_s=30).get("/api/health")
    assert response.status_code == 200


def test_a_stream_batch_stops_where_its_event_would_pass_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given ten records, and a request limit that three of them fill exactly
    from local.invoke import forget_handlers
    from local.pollers import within_payload_limit

    records = [{"eventID": str(i), "dynamodb": {"NewImage": {"v": {"S": "x" * 100}}}} for i in range(10)]
    monkeypatch.setenv("LB_LAMBDA_REQUEST_MAX_BYTES", str(payload_size({"Records": records[:3]})))
    forget_handlers()  # settings are read once per cold start
    try:
        # When the poller assembles the batch, Then it holds the three, as Lambda's 6 MB cap on a batch does
        assert within_payload_limit(records) == records[:3]
        # And a record too large alone still goes (its invocation fails, then retries and the failure queue)
        assert within_payload_limit([{"big": "x" * 10_000}]) == [{"big": "x" * 10_000}]
    finally:
        monkeypatch.undo()
        forget_handlers()
