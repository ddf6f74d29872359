"""Endpoints run on the invocation's own thread, path parameters bound without pydantic, imports kept lean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def _imported_after(modules: str, watched: tuple[str, ...]) -> list[str]:
    code = f"import sys, {modules}; print(','.join(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})
    return [m for m in out.stdout.strip().split(",") if m]


def test_the_http_functions_import_neither_pydantic_v1_nor_the_xray_sdk() -> None:
    # Given a fresh interpreter, When the records, collections and auth functions (path parameters everywhere) load
    imported = _imported_after("functions.records.handler, functions.collections.handler, functions.auth.handler",
                               ("pydantic.v1", "aws_xray_sdk"))
    # Then FastAPI never checked a parameter for pydantic.v1, and tracing (off) loaded no X-Ray SDK
    assert imported == []


def test_the_health_function_loads_no_aws_sdk_and_no_records_engine() -> None:
    # Given a fresh interpreter, When the health function loads
    imported = _imported_after("functions.health.handler",
                               ("boto3", "botocore.session", "pydantic.v1", "shared.records.context"))
    # Then it has paid for neither the SDK nor the records engine: it needs them only for a signed-in caller
    assert imported == []


def _lean_app() -> Any:
    from shared.http.endpoints import LeanRouter

    router = LeanRouter()

    @router.get("/items/{collection}/{item_id}")
    def path_only(collection: str, item_id: str, request: Request) -> JSONResponse:
        return JSONResponse({"collection": collection, "item": item_id, "method": request.method})

    @router.get("/pages/{name}")
    def typed_query(name: str, page: int = 1) -> JSONResponse:
        return JSONResponse({"name": name, "page": page})

    return lambda_handler(create_app([router]), rate_limited=False)


def test_a_path_only_endpoint_gets_its_parameters_from_the_path() -> None:
    # Given a LeanRouter endpoint taking two path parameters and the request, When it is requested
    answer = _lean_app()(_event("/items/posts/abc"), _Context())
    # Then it got both segments and the request
    assert json.loads(answer["body"]) == {"collection": "posts", "item": "abc", "method": "GET"}


def test_an_endpoint_with_other_parameters_is_still_validated_by_fastapi() -> None:
    # Given a LeanRouter endpoint with a typed query parameter, When it gets a value that is not an int
    handler = _lean_app()
    bad = handler({**_event("/pages/x"), "rawQueryString": "page=two"}, _Context())
    good = handler({**_event("/pages/x"), "rawQueryString": "page=3"}, _Context())
    # Then FastAPI still parses and validates it: a 400 in PocketBase's shape for the bad one
    assert bad["statusCode"] == 400 and json.loads(bad["body"])["status"] == 400
    assert json.loads(good["body"]) == {"name": "x", "page": 3}
