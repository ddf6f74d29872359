"""Sync endpoints and the rate limiter run on the invocation's own thread, never in a worker thread."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from local.events import http_event
from shared.http.app import create_app, lambda_handler


class _Context:
    function_name = "test"
    memory_limit_in_mb = 128
    aws_request_id = "req"
    function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 29000


def _event(path: str) -> dict[str, Any]:
    return http_event(method="GET", path=path, raw_query="", headers=[], body=b"", route_key=f"GET {path}",
                      path_params={}, source_ip="203.0.113.9", host="test")


def _handler() -> Any:
    router = APIRouter()

    @router.get("/threads/{name}")
    def sync_endpoint(name: str, request: Request) -> JSONResponse:
        return JSONResponse({"thread": threading.get_ident(), "name": name, "query": dict(request.query_params)})

    return lambda_handler(create_app([router]), rate_limited=False)


def test_a_sync_endpoint_runs_on_the_invoking_thread() -> None:
    # Given an app whose endpoint is a plain `def`
    handler = _handler()
    # When it is invoked twice through the Lambda handler
    answers = [handler(_event("/threads/x"), _Context()) for _ in range(2)]
    # Then both ran on this thread, with their path parameter, and no worker thread was left behind
    for answer in answers:
        assert answer["statusCode"] == 200
        assert json.loads(answer["body"]) == {"thread": threading.get_ident(), "name": "x", "query": {}}
    assert not [t for t in threading.enumerate() if t.name.startswith("AnyIO worker")]


def test_path_parameters_are_still_validated_by_the_original_signature() -> None:
    # Given an app whose endpoint takes a path parameter, When a path without it is requested
    answer = _handler()(_event("/threads/"), _Context())
    # Then no route takes it: PocketBase's 404, as before
    assert answer["statusCode"] == 404
