"""Records API: list, view, create, update, delete under /api/collections/{collection}/records, and batch."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.composition import composition
from shared.files.batch_parts import batch_requests
from shared.http.body import read_body
from shared.http.router import Router
from shared.records.batch import check_batch_enabled, run_batch
from shared.records.scope import RecordScope

router = Router()


def _scope(request: Request, body: dict[str, Any] | None = None) -> RecordScope:
    return composition().scope(request, body)


def _debug_headers(scope: RecordScope) -> dict[str, str]:
    if not composition().config.debug_query:
        return {}
    return {"X-Lb-Plan": " | ".join(scope.meter.plans) or "none",
            "X-Lb-Items-Read": str(scope.meter.items_read), "X-Lb-Read-Requests": str(scope.meter.requests)}


@router.get("/api/collections/{collection}/records")
def list_records(collection: str, request: Request) -> JSONResponse:
    scope = _scope(request)
    result = scope.reader.list_page(collection, request.query_params)
    return JSONResponse(result, headers=_debug_headers(scope))


@router.get("/api/collections/{collection}/records/{record_id}")
def view_record(collection: str, record_id: str, request: Request) -> JSONResponse:
    scope = _scope(request)
    body, etag = scope.reader.view(collection, record_id, request.query_params)
    return JSONResponse(body, headers={"ETag": etag, **_debug_headers(scope)})


@router.post("/api/collections/{collection}/records")
async def create_record(collection: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    scope = _scope(request, body)
    created = scope.writer.create(collection, body)
    return JSONResponse(scope.presenter.for_params(created.stored.collection, created.record, request.query_params))


@router.patch("/api/collections/{collection}/records/{record_id}")
async def update_record(collection: str, record_id: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    scope = _scope(request, body)
    updated = scope.writer.update(collection, record_id, body, if_match=request.headers.get("if-match"))
    return JSONResponse(scope.presenter.for_params(updated.stored.collection, updated.record, request.query_params))


@router.delete("/api/collections/{collection}/records/{record_id}")
def delete_record(collection: str, record_id: str, request: Request) -> Response:
    _scope(request).writer.delete(collection, record_id, if_match=request.headers.get("if-match"))
    return Response(status_code=204)


@router.post("/api/batch")
async def batch(request: Request) -> JSONResponse:
    from shared.app_settings.provider import current

    config = current().batch  # runtime settings: PATCH /api/settings changes them without a deploy
    # as PocketBase: a disabled batch is refused before its body is read
    check_batch_enabled(enabled=config.enabled, max_requests=config.max_requests)
    body = await read_body(request)
    return JSONResponse(run_batch(_scope(request), batch_requests(body), enabled=config.enabled,
                                  max_requests=config.max_requests))
