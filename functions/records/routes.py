"""Records API: list, view, create, update, delete under /api/collections/{collection}/records, and batch."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from shared.http.body import read_body
from shared.http.requests import request_context
from shared.records.batch import run_batch
from shared.records.service import RecordService
from shared.services import services

router = APIRouter()


def _service(request: Request, body: dict[str, Any] | None = None) -> RecordService:
    svc = services()
    ctx = request_context(request, svc.auth(request), body)
    return RecordService(svc.collections, svc.records, ctx, query_budget=svc.config.query_budget)


def _debug_headers(service: RecordService) -> dict[str, str]:
    if not services().config.debug_query:
        return {}
    return {"X-Lb-Plan": " | ".join(service.meter.plans) or "none",
            "X-Lb-Items-Read": str(service.meter.items_read)}


@router.get("/api/collections/{collection}/records")
def list_records(collection: str, request: Request) -> JSONResponse:
    service = _service(request)
    result = service.list_page(collection, dict(request.query_params))
    return JSONResponse(result, headers=_debug_headers(service))


@router.get("/api/collections/{collection}/records/{record_id}")
def view_record(collection: str, record_id: str, request: Request) -> JSONResponse:
    service = _service(request)
    body, etag = service.view(collection, record_id, dict(request.query_params))
    return JSONResponse(body, headers={"ETag": etag, **_debug_headers(service)})


@router.post("/api/collections/{collection}/records")
async def create_record(collection: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    service = _service(request, body)
    return JSONResponse(service.create(collection, body, dict(request.query_params)))


@router.patch("/api/collections/{collection}/records/{record_id}")
async def update_record(collection: str, record_id: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    service = _service(request, body)
    return JSONResponse(service.update(collection, record_id, body, dict(request.query_params),
                                       if_match=request.headers.get("if-match")))


@router.delete("/api/collections/{collection}/records/{record_id}")
def delete_record(collection: str, record_id: str, request: Request) -> Response:
    _service(request).delete(collection, record_id, if_match=request.headers.get("if-match"))
    return Response(status_code=204)


@router.post("/api/batch")
async def batch(request: Request) -> JSONResponse:
    body = await read_body(request)
    return JSONResponse(run_batch(_service(request), body.get("requests")))
