"""POST /api/settings/test/s3: check that the storage or backups bucket of the settings can be written."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from functions.settings.access import settings_store
from shared.app_settings.s3_check import check_s3
from shared.http.access import require_superuser
from shared.http.body import read_form_body
from shared.http.router import Router

router = Router()


@router.post("/api/settings/test/s3")
async def test_s3(request: Request) -> Response:
    require_superuser(request)
    body = await read_form_body(request, "An error occurred while loading the submitted data.")
    check_s3(settings_store().read(consistent=True)[0], body)
    return Response(status_code=204)
