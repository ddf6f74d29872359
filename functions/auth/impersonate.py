"""POST impersonate/{id} (superusers only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import params, record_service, superuser_collection_of
from shared.accounts.collaborators import accounts
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/impersonate/{record_id}")
async def impersonate_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    from shared.accounts.impersonation import impersonate

    body = await read_body(request)
    service = record_service(request, body)
    stored = superuser_collection_of(service, collection)
    return JSONResponse(impersonate(service, accounts(), stored, record_id, service.request.auth, body,
                                    params(request)))
