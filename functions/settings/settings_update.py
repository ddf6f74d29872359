"""PATCH /api/settings: merge a partial body, validate as PocketBase does, save, and answer the new settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.settings.access import settings_store
from shared.app_settings.service import LOADING_ERROR, public_view, update_settings
from shared.errors import BadRequestError
from shared.http.access import require_superuser
from shared.http.body import read_form_body
from shared.http.router import Router

router = Router()


@router.patch("/api/settings")
async def update(request: Request) -> JSONResponse:
    require_superuser(request)
    if (await request.body()).strip() == b"null":
        raise BadRequestError()  # PocketBase's generic 400 for a JSON null body
    body = await read_form_body(request, LOADING_ERROR)
    return JSONResponse(public_view(update_settings(settings_store(), body)))
