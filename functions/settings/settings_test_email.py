"""POST /api/settings/test/email: send one of an auth collection's emails to an address, as a test."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from shared.app_settings.email_check import send_test_email
from shared.composition import composition
from shared.http.access import require_superuser
from shared.http.body import read_form_body
from shared.http.router import Router
from shared.mail.sender import default_mail_sender
from shared.mail.settings import MailSettings
from shared.settings import load

router = Router()


@router.post("/api/settings/test/email")
async def test_email(request: Request) -> Response:
    require_superuser(request)
    body = await read_form_body(request, "An error occurred while loading the submitted data.")
    send_test_email(composition().collections, default_mail_sender(), load(MailSettings), body)
    return Response(status_code=204)
