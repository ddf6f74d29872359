"""POST auth-with-oauth2: PocketBase's code (+ PKCE) sign-in, creating or linking the record."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import collection_of, params, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.signin import auth_response
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/collections/{collection}/auth-with-oauth2")
async def auth_with_oauth2(collection: str, request: Request) -> JSONResponse:
    # OAuth2 (providers, discovery, outbound HTTP) loads with its first sign-in, not at init
    from shared.accounts.oauth2.apple_names import get_apple_name_store
    from shared.accounts.oauth2.outbound import default_outbound
    from shared.accounts.oauth2.signin import oauth2_sign_in

    body = await read_body(request)
    # Signed in: a caller of this collection links the provider account to itself, as in PocketBase.
    service = record_service(request, body, signed_in=True, context="oauth2")
    stored = collection_of(service, collection)
    components = accounts()
    result = oauth2_sign_in(service, stored, body, default_outbound(), components.events,
                            get_apple_name_store(components.config.system_table))
    return JSONResponse(auth_response(service, components, stored, result.record, params(request),
                                       method="oauth2", body=body, meta=result.meta))
