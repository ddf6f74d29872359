"""POST clear-sign-in-failures (superusers): forget an account's or an IP's failed sign-ins."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from functions.auth.common import collection_of, no_content, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.throttle_admin import clear_sign_in_failures
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/clear-sign-in-failures")
async def clear_sign_in_failures_route(collection: str, request: Request) -> Response:
    body = await read_body(request)
    service = record_service(request, body)
    clear_sign_in_failures(accounts(), collection_of(service, collection), service.request.auth, body)
    return no_content()
