"""POST request-otp and POST auth-with-otp: PocketBase's email OTP sign-in (logic in shared/accounts/otp.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import collection_of, params, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.signin import auth_response
from shared.errors import BadRequestError
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


async def _body_or_none(request: Request) -> dict[str, Any] | None:
    """The body, or None when it is no JSON object: PocketBase reports that only after its 403 for OTP off."""
    try:
        return await read_body(request)
    except BadRequestError:
        return None


@router.post("/api/collections/{collection}/request-otp")
async def request_otp_route(collection: str, request: Request) -> JSONResponse:
    from shared.accounts.otp import request_otp

    body = await _body_or_none(request)
    service = record_service(request, body or {}, signed_in=False)
    return JSONResponse(request_otp(service, accounts(), collection_of(service, collection), body))


@router.post("/api/collections/{collection}/auth-with-otp")
async def auth_with_otp(collection: str, request: Request) -> JSONResponse:
    from shared.accounts.otp import otp_sign_in

    body = await _body_or_none(request)
    service = record_service(request, body or {}, signed_in=False, context="otp")
    stored = collection_of(service, collection)
    components = accounts()
    record = otp_sign_in(service, components, stored, body)
    return JSONResponse(auth_response(service, components, stored, record, params(request),
                                      method="otp", body=body))
