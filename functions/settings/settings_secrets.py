"""GET /api/settings/secrets (Lambdabase): which secrets are stored, never their values."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.settings.access import settings_store
from shared.app_settings.service import secrets_presence
from shared.http.access import require_superuser
from shared.http.router import Router

router = Router()


@router.get("/api/settings/secrets")
def view_secrets_presence(request: Request) -> JSONResponse:
    require_superuser(request)
    return JSONResponse(secrets_presence(settings_store()))
