"""POST /api/settings/apple/generate-client-secret (superusers): Sign in with Apple's client secret JWT."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import record_service
from shared.accounts.auth_records import require_superuser
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@router.post("/api/settings/apple/generate-client-secret")
async def generate_apple_client_secret(request: Request) -> JSONResponse:
    from shared.accounts.oauth2.apple_secret import apple_client_secret

    require_superuser(record_service(request).request.auth)
    return JSONResponse({"secret": apple_client_secret(await read_body(request))})
