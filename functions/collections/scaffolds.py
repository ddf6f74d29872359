"""`GET /api/collections/meta/scaffolds`: the blank collection of each type, as PocketBase answers it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from shared.collections.scaffolds import scaffolds
from shared.http.access import require_superuser
from shared.http.endpoints import LeanRouter

router = LeanRouter()


@router.get("/api/collections/meta/scaffolds")
def collection_scaffolds(request: Request) -> JSONResponse:
    require_superuser(request)  # as PocketBase: superusers only (401 guests, 403 other auth records)
    return JSONResponse(scaffolds())
