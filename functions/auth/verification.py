"""POST request-verification and POST confirm-verification."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from functions.auth.common import collection_of, no_content, record_service
from shared.accounts.collaborators import accounts
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/request-verification")
async def request_verification_route(collection: str, request: Request) -> Response:
    from shared.accounts.verification import request_verification

    body = await read_body(request)
    service = record_service(request, body, signed_in=False)
    request_verification(service, accounts(), collection_of(service, collection), body)
    return no_content()


@router.post("/api/collections/{collection}/confirm-verification")
async def confirm_verification_route(collection: str, request: Request) -> Response:
    from shared.accounts.verification import confirm_verification

    body = await read_body(request)
    service = record_service(request, body, signed_in=False)
    confirm_verification(service, accounts(), collection_of(service, collection), body)
    return no_content()
