"""POST auth-refresh (PocketBase: a valid token for a new one) and POST auth-with-refresh-token (rotation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import collection_of, own_collection_of, params, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.token_refresh import refresh_auth_token, sign_in_with_refresh_token
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/auth-refresh")
async def auth_refresh(collection: str, request: Request) -> JSONResponse:
    service = record_service(request, await read_body(request))
    stored = own_collection_of(service, collection)
    return JSONResponse(refresh_auth_token(service, accounts(), stored, service.request.auth,
                                           request.headers.get("authorization"), params(request)))


@router.post("/api/collections/{collection}/auth-with-refresh-token")
async def auth_with_refresh_token(collection: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    service = record_service(request, body, signed_in=False, context="refreshToken")
    stored = collection_of(service, collection)
    return JSONResponse(sign_in_with_refresh_token(service, accounts(), stored, body, params(request)))
