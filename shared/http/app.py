"""FastAPI app factory shared by every HTTP function: PocketBase error shape, body parsing, Lambda entry."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mangum import Mangum
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import ApiError, BadRequestError, InternalError
from shared.observability import Handler, instrument, logger

INVALID_BODY = "Failed to load the submitted data due to invalid formatting."

_STATUS_MESSAGES = {
    404: "The requested resource wasn't found.",
    405: "Method Not Allowed.",
}


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


async def parse_json_body(request: Request) -> None:
    """Reject a malformed JSON body on any matched route before the endpoint runs."""
    content_type = request.headers.get("content-type", "")
    if request.method in ("GET", "HEAD", "DELETE") or not content_type.startswith("application/json"):
        return
    raw = await request.body()
    if not raw.strip():
        request.state.json_body = {}
        return
    try:
        request.state.json_body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequestError(INVALID_BODY) from exc


def create_app(routers: Iterable[APIRouter], *, title: str = "Lambdabase") -> FastAPI:
    """Build one function's FastAPI app from its own routers."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(parse_json_body)])
    for router in routers:
        app.include_router(router)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
        return JSONResponse({"status": exc.status_code, "message": message, "data": {}},
                            status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        data: dict[str, Any] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            data[".".join(loc) or "body"] = {"code": "validation_invalid_value", "message": err.get("msg", "")}
        return error_response(BadRequestError(INVALID_BODY, data))

    @app.exception_handler(Exception)
    async def _unhandled(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return error_response(InternalError())

    return app


_loops = threading.local()


def _ensure_event_loop() -> None:
    """Give this thread an event loop: Mangum asks for one, and Python 3.14 no longer makes one on demand."""
    if getattr(_loops, "loop", None) is None:
        _loops.loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loops.loop)


def lambda_handler(app: FastAPI) -> Handler:
    """Wrap a FastAPI app as an instrumented API Gateway HTTP API (payload v2) handler."""
    asgi = Mangum(app, lifespan="off")

    def handle(event: dict[str, Any], context: Any) -> Any:
        _ensure_event_loop()
        return asgi(event, context)

    return instrument(handle, correlation_id_path="requestContext.requestId")
