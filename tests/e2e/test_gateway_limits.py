"""The running local stack enforces Lambda's payload limits with API Gateway's answers, configured small through
its settings (LB_LAMBDA_REQUEST_MAX_BYTES, LB_LAMBDA_RESPONSE_MAX_BYTES) so that no test sends 6 MB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.stack_process import StackProcess

EMAIL, PASSWORD = "root@example.com", "Root-pass-1234567"
REQUEST_MAX, RESPONSE_MAX = 20_000, 8_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    data: Path = tmp_path_factory.mktemp("limits") / "data"
    proc = StackProcess(data, env={"LB_SUPERUSER_EMAIL": EMAIL, "LB_SUPERUSER_PASSWORD": PASSWORD,
                                   "LB_LAMBDA_REQUEST_MAX_BYTES": str(REQUEST_MAX),
                                   "LB_LAMBDA_RESPONSE_MAX_BYTES": str(RESPONSE_MAX)}).start()
    try:
        yield proc
    finally:
        proc.discard()


@pytest.fixture
def small_limits(stack: StackProcess) -> Iterator[httpx.Client]:
    with stack.client() as http:
        yield http


def test_a_request_within_the_limits_reaches_the_function(small_limits: httpx.Client) -> None:
    response = small_limits.get("/api/health")
    assert response.status_code == 200 and response.json()["message"] == "API is healthy."


def test_a_request_over_lambdas_limit_gets_api_gateways_413(small_limits: httpx.Client) -> None:
    # Given a JSON body larger than the function's request limit
    response = small_limits.post("/api/collections/users/records", json={"name": "x" * (REQUEST_MAX + 1)})
    # Then API Gateway's own answer, in its shape: Lambda refused the event, nothing ran
    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}


def test_a_response_over_lambdas_limit_gets_api_gateways_500(small_limits: httpx.Client, stack: StackProcess) -> None:
    # Given a superuser, and an answer (every collection, with its fields) larger than the response limit
    signed_in = small_limits.post("/api/collections/_superusers/auth-with-password",
                                  json={"identity": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 200
    response = small_limits.get("/api/collections", params={"perPage": 500},
                                headers={"Authorization": signed_in.json()["token"]})
    # Then the invocation failed, which API Gateway answers 500 in its shape
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "ResponseTooLargeError" in stack.logs()
