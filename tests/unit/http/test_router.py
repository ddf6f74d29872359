"""Routes: endpoints run on the invocation's own thread with their path parameters, declarations are checked, imports
kept lean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse

from local.events import LambdaContext, http_event
from shared.http.app import create_app, lambda_handler
from shared.http.router import Router


def _context() -> LambdaContext:
    return LambdaContext(function_name="test")


def _event(path: str, method: str = "GET") -> dict[str, Any]:
    return http_event(method=method, path=path, raw_query="", headers=[], body=b"", route_key=f"{method} {path}",
                      path_params={}, source_ip="203.0.113.9", host="test")


def _handler() -> Any:
    router = Router()

    @router.get("/threads/{name}")
    def sync_endpoint(name: str, request: Request) -> JSONResponse:
        return JSONResponse({"thread": threading.get_ident(), "name": name, "query": dict(request.query_params)})

    return lambda_handler(create_app([router]), rate_limited=False)


def test_a_sync_endpoint_runs_on_the_invoking_thread() -> None:
    # Given an app whose endpoint is a plain `def`
    handler = _handler()
    # When it is invoked twice through the Lambda handler
    answers = [handler(_event("/threads/x"), _context()) for _ in range(2)]
    # Then both ran on this thread, with their path parameter, and no worker thread was left behind
    for answer in answers:
        assert answer["statusCode"] == 200
        assert json.loads(answer["body"]) == {"thread": threading.get_ident(), "name": "x", "query": {}}
    assert not [t for t in threading.enumerate() if t.name.startswith("AnyIO worker")]


def test_path_parameters_are_still_validated_by_the_original_signature() -> None:
    # Given an app whose endpoint takes a path parameter, When a path without it is requested
    answer = _handler()(_event("/threads/"), _context())
    # Then no route takes it: PocketBase's 404, as before
    assert answer["statusCode"] == 404


def _imported_after(modules: str, watched: tuple[str, ...]) -> list[str]:
    code = f"import sys, {modules}; print(','.join(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})
    return [m for m in out.stdout.strip().split(",") if m]


def test_the_http_functions_import_neither_fastapi_nor_pydantic_v1_nor_the_xray_sdk() -> None:
    # Given a fresh interpreter, When the records, collections and auth functions load
    imported = _imported_after("functions.records.handler, functions.collections.handler, functions.auth.handler",
                               ("fastapi", "pydantic.v1", "aws_xray_sdk"))
    # Then no FastAPI, and tracing (off) loaded no X-Ray SDK
    assert imported == []


def test_the_health_function_prepares_the_sdk_but_loads_no_records_engine() -> None:
    # Given a fresh interpreter, When the health function loads
    imported = _imported_after("functions.health.handler",
                               ("botocore.session", "pydantic.v1", "shared.records.context"))
    # Then it has the SDK its every first request needs (the app settings' read), but not the records engine,
    # which only a signed-in caller needs
    assert imported == ["botocore.session"]


def _app_handler() -> Any:
    router = Router()

    @router.get("/items/{collection}/{item_id}")
    def path_only(collection: str, item_id: str, request: Request) -> JSONResponse:
        return JSONResponse({"collection": collection, "item": item_id, "method": request.method})

    @router.api_route("/both", methods=["GET", "HEAD"])
    async def both() -> dict[str, str]:
        return {"answer": "json"}

    return lambda_handler(create_app([router]), rate_limited=False)


def test_an_endpoint_gets_its_path_parameters_and_the_request() -> None:
    # Given an endpoint taking two path parameters and the request, When it is requested
    answer = _app_handler()(_event("/items/posts/abc"), _context())
    # Then it got both segments and the request
    assert json.loads(answer["body"]) == {"collection": "posts", "item": "abc", "method": "GET"}


def test_head_is_taken_only_where_declared_and_a_json_value_is_answered_as_json() -> None:
    # Given a GET route and a GET + HEAD route
    handler = _app_handler()
    # When each is asked with HEAD, and the second with GET
    head_get_only = handler(_event("/items/posts/abc", "HEAD"), _context())
    head_both = handler(_event("/both", "HEAD"), _context())
    get_both = handler(_event("/both"), _context())
    # Then HEAD on the GET-only route is PocketBase's 404, the other answers, and a returned dict is JSON
    assert head_get_only["statusCode"] == 404
    assert head_both["statusCode"] == 200
    assert get_both["headers"]["content-type"] == "application/json"
    assert json.loads(get_both["body"]) == {"answer": "json"}


@pytest.mark.parametrize("signature", ["page: int = 1", "query: str", "*names: str"])
def test_an_endpoint_taking_anything_else_is_refused_when_declared(signature: str) -> None:
    # Given an endpoint with a parameter that is neither a path parameter nor the request
    namespace: dict[str, Any] = {}
    exec(f"def endpoint(name: str, {signature}) -> None: ...", namespace)
    # When it is declared, Then the declaration fails (nothing would fill that parameter)
    with pytest.raises(TypeError):
        Router().get("/pages/{name}")(namespace["endpoint"])
