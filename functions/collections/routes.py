"""Collections API (superusers only): list, view, create, update, delete, import, truncate."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from shared.catalog.service import CollectionService
from shared.composition import composition
from shared.errors import ForbiddenError, UnauthorizedError
from shared.http.body import read_body

router = APIRouter()


def _service(request: Request) -> CollectionService:
    svc = composition()
    auth = svc.caller(request)
    if auth is None:
        raise UnauthorizedError()
    if not auth.is_superuser:
        raise ForbiddenError("Only superusers can perform this action.")
    from shared.jobs.checkpoints import get_checkpoint_store
    from shared.jobs.context import JobContext
    from shared.jobs.queue import get_job_queue, settle_seconds

    jobs = JobContext(svc.collections, svc.records, get_job_queue(), get_checkpoint_store(svc.config.system_table))
    return CollectionService(svc.collections, svc.records, jobs, settle_s=settle_seconds())


def _present(service: CollectionService, id_or_name: str) -> dict[str, Any]:
    """The collection JSON, plus the additive `indexStates` (each index ready, building or failed)."""
    from shared.catalog.layout import index_states

    stored = service.get(id_or_name)
    return {**stored.collection.to_api_json(), "indexStates": index_states(stored.layout)}


def _page(params: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    page = max(1, int(params.get("page") or 1))
    per_page = min(1000, max(1, int(params.get("perPage") or 30)))
    return {"page": page, "perPage": per_page, "totalItems": len(items),
            "totalPages": math.ceil(len(items) / per_page),
            "items": items[(page - 1) * per_page: page * per_page]}


@router.get("/api/collections")
def list_collections(request: Request) -> JSONResponse:
    service = _service(request)
    params = dict(request.query_params)
    from shared.catalog.layout import index_states
    from shared.catalog.listing import filter_and_sort

    items = filter_and_sort([{**s.collection.to_api_json(), "indexStates": index_states(s.layout)}
                             for s in service.collections.all()],
                            params.get("filter", ""), params.get("sort", ""))
    return JSONResponse(_page(params, items))


@router.post("/api/collections")
async def create_collection(request: Request) -> JSONResponse:
    service = _service(request)
    return JSONResponse(_present(service, service.create(await read_body(request)).id))


@router.put("/api/collections/import")
async def import_collections(request: Request) -> Response:
    service = _service(request)
    body = await read_body(request)
    service.import_collections(body.get("collections") or [], bool(body.get("deleteMissing")))
    return Response(status_code=204)


@router.get("/api/collections/{id_or_name}")
def view_collection(id_or_name: str, request: Request) -> JSONResponse:
    service = _service(request)
    return JSONResponse(_present(service, id_or_name))


@router.patch("/api/collections/{id_or_name}")
async def update_collection(id_or_name: str, request: Request) -> JSONResponse:
    service = _service(request)
    return JSONResponse(_present(service, service.update(id_or_name, await read_body(request)).id))


@router.delete("/api/collections/{id_or_name}")
def delete_collection(id_or_name: str, request: Request) -> Response:
    _service(request).delete(id_or_name)
    return Response(status_code=204)


@router.delete("/api/collections/{id_or_name}/truncate")
def truncate_collection(id_or_name: str, request: Request) -> Response:
    _service(request).truncate(id_or_name)
    return Response(status_code=204)
