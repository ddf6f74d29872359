"""POST request-password-reset and POST confirm-password-reset."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from functions.auth.common import collection_of, no_content, record_service
from shared.accounts.collaborators import accounts
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/request-password-reset")
async def request_password_reset_route(collection: str, request: Request) -> Response:
    from shared.accounts.password_reset import request_password_reset

    body = await read_body(request)
    service = record_service(request, body, signed_in=False)
    request_password_reset(service, accounts(), collection_of(service, collection), body)
    return no_content()


@router.post("/api/collections/{collection}/confirm-password-reset")
async def confirm_password_reset_route(collection: str, request: Request) -> Response:
    from shared.accounts.password_reset import confirm_password_reset

    body = await read_body(request)
    service = record_service(request, body, signed_in=False)
    confirm_password_reset(service, accounts(), collection_of(service, collection), body)
    return no_content()
