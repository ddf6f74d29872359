"""POST auth-with-password (throttled sign-in) and POST password-strength (zxcvbn meter and policy verdict)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import collection_of, params, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.password_policy import strength_report
from shared.accounts.signin import auth_response, password_sign_in
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/auth-with-password")
async def auth_with_password(collection: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    service = record_service(request, body, signed_in=False, context="password")
    stored = collection_of(service, collection)
    components = accounts()
    record = password_sign_in(service, components, stored, body)
    return JSONResponse(auth_response(service, components, stored, record, params(request),
                                       method="password", body=body))


@router.post("/api/collections/{collection}/password-strength")
async def password_strength(collection: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    stored = collection_of(record_service(request, signed_in=False), collection)
    return JSONResponse(strength_report(stored.collection, body))
