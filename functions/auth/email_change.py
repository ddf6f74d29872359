"""POST request-email-change (signed in) and POST confirm-email-change."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from functions.auth.common import collection_of, no_content, own_collection_of, record_service
from shared.accounts.collaborators import accounts
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/request-email-change")
async def request_email_change_route(collection: str, request: Request) -> Response:
    from shared.accounts.email_change import request_email_change

    body = await read_body(request)
    service = record_service(request, body)
    request_email_change(service, accounts(), own_collection_of(service, collection), service.request.auth, body)
    return no_content()


@router.post("/api/collections/{collection}/confirm-email-change")
async def confirm_email_change_route(collection: str, request: Request) -> Response:
    from shared.accounts.email_change import confirm_email_change

    body = await read_body(request)
    service = record_service(request, body, signed_in=False)
    confirm_email_change(service, accounts(), collection_of(service, collection), body)
    return no_content()
