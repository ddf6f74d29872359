"""In the one process of the local stack, each function logs as itself: its service, its Lambda context, its
own cold start, even while other functions' invocations run at the same time."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local import cloud, routing
from local.events import LambdaContext, http_event
from local.invoke import invoke
from shared.observability import function_service, instrument, logger

EMAIL, PASSWORD = "root@example.com", "Root-pass-1234567"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the shared Logger writes while the test runs, read from its own handler."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def json_lines(output: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{")]


def _request(method: str, path: str, body: dict[str, Any] | None = None, token: str = "") -> dict[str, Any]:
    match = routing.match(method, path)
    assert match is not None
    headers = [("content-type", "application/json")] + ([("authorization", token)] if token else [])
    event = http_event(method=method, path=path, raw_query="", headers=headers,
                       body=json.dumps(body).encode() if body is not None else b"", route_key=match.route_key,
                       path_params=match.path_params, source_ip="127.0.0.1", host="127.0.0.1")
    result = invoke(match.route.function, event)
    return {"status": result["statusCode"], **json.loads(result.get("body") or "{}")}


def test_a_records_request_logs_as_records_and_a_sign_in_as_auth(moto: cloud.MotoCloud,
                                                                 log_output: io.StringIO) -> None:
    # Given a superuser
    from shared.accounts.superusers import upsert_superuser
    from shared.composition import composition

    svc = composition()
    upsert_superuser(svc.collections, svc.records, svc.hooks, EMAIL, PASSWORD)
    # When it signs in (the auth function logs the sign-in), creates a user, then changes the user's password
    # (the records function logs that the user's sessions were revoked)
    signed_in = _request("POST", "/api/collections/_superusers/auth-with-password",
                         {"identity": EMAIL, "password": PASSWORD})
    token = signed_in["token"]
    user = _request("POST", "/api/collections/users/records",
                    {"email": "u@example.com", "password": "User-pass-12345", "passwordConfirm": "User-pass-12345"},
                    token)
    changed = _request("PATCH", f"/api/collections/users/records/{user['id']}",
                       {"password": "Other-pass-12345", "passwordConfirm": "Other-pass-12345"}, token)
    assert changed["status"] == 200
    # Then each log line names the function that emitted it
    lines: dict[str, dict[str, Any]] = {}
    for line in json_lines(log_output):
        lines.setdefault(line["message"], line)
    sign_in, revoked = lines["sign-in succeeded"], lines["credentials changed; sessions revoked"]
    assert (sign_in["service"], sign_in["function_name"]) == ("auth", "lambdabase-auth")
    assert (revoked["service"], revoked["function_name"]) == ("records", "lambdabase-records")


def test_concurrent_invocations_of_two_functions_keep_their_own_context(log_output: io.StringIO) -> None:
    # Given two functions' handlers that log, each waiting for the other to have started before logging
    both_started = threading.Barrier(2)

    def work(event: dict[str, Any], _context: Any) -> None:
        both_started.wait(timeout=10)
        logger.info("working", extra={"step": event["step"]})

    handler = instrument(work)

    def run(name: str, step: int) -> None:
        with function_service(name):
            handler({"step": step}, LambdaContext(function_name=f"lambdabase-{name}", aws_request_id=f"req-{step}"))

    # When both run at once, as two gateway requests would
    threads = [threading.Thread(target=run, args=("alpha", 1)), threading.Thread(target=run, args=("beta", 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then each line carries its own function's service, name, request id and cold start
    seen = {line["step"]: line for line in json_lines(log_output) if line.get("message") == "working"}
    assert [(seen[s]["service"], seen[s]["function_name"], seen[s]["function_request_id"], seen[s]["cold_start"])
            for s in (1, 2)] == [("alpha", "lambdabase-alpha", "req-1", True), ("beta", "lambdabase-beta", "req-2",
                                                                                True)]
