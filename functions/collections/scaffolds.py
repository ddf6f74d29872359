"""`GET /api/collections/meta/scaffolds`: the blank collection of each type, as PocketBase answers it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.collections.scaffolds import scaffolds
from shared.http.access import require_superuser
from shared.http.router import Router

router = Router()


@router.get("/api/collections/meta/scaffolds")
def collection_scaffolds(request: Request) -> JSONResponse:
    require_superuser(request)  # as PocketBase: superusers only (401 guests, 403 other auth records)
    return JSONResponse(scaffolds())
