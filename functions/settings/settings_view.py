"""GET /api/settings: the stored settings, secrets left out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.settings.access import settings_store
from shared.app_settings.service import public_view
from shared.http.access import require_superuser
from shared.http.router import Router

router = Router()


@router.get("/api/settings")
def view_settings(request: Request) -> JSONResponse:
    require_superuser(request)
    settings, _ = settings_store().read(consistent=True)
    return JSONResponse(public_view(settings))
