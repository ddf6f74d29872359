"""POST /api/settings/test/email: one of an auth collection's emails, rendered for a made-up record and sent."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from shared.app_settings import provider
from shared.app_settings.validation import error, fields, is_email, length, one_of, required
from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection, EmailTemplate
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.errors import BadRequestError
from shared.mail.message import MailMessage
from shared.mail.render import html_to_text, resolve
from shared.mail.sender import MailSender, send_mail
from shared.mail.settings import MailSettings

TEMPLATES = ("verification", "password-reset", "email-change", "otp", "login-alert")
FAILED = "Failed to send the test email."
LAYOUT = ('<!DOCTYPE html>\n<html>\n<head>\n<meta name="viewport" content="width=device-width,initial-scale=1" />\n'
          '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n</head>\n<body>\n{body}\n'
          '</body>\n</html>')


def _template(collection: Collection, name: str) -> EmailTemplate:
    return {
        "verification": collection.verification_template,
        "password-reset": collection.reset_password_template,
        "email-change": collection.confirm_email_change_template,
        "otp": collection.otp.email_template,
        "login-alert": collection.auth_alert.email_template,
    }[name]


def render_test_email(collection: Collection, template_name: str, to: str) -> MailMessage:
    """PocketBase's test message: every visible field `__pb_test_<name>__`, its OTP 123456, a TEST_IP alert."""
    meta = provider.current().meta
    values: dict[str, object] = {"{APP_NAME}": meta.app_name, "{APP_URL}": meta.app_url.rstrip("/"),
                                 "{TOKEN}": secrets.token_urlsafe(32), "{OTP}": "123456",
                                 "{OTP_ID}": "_PB_TEST_OTP_ID_",
                                 "{ALERT_INFO}": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S.000Z} - TEST_IP "
                                                 "TEST_USER_AGENT"}
    for field in collection.fields:
        if not field.hidden:
            values["{RECORD:" + field.name + "}"] = f"__pb_test_{field.name}__"
    values["{RECORD:email}"] = to
    template = _template(collection, template_name)
    subject, body = resolve(template.subject, template.body, values)
    return MailMessage(to=(to,), subject=subject, html=LAYOUT.format(body=body), text=html_to_text(body),
                       kind=f"test:{template_name}")


def send_test_email(collections: CollectionRepository, sender: MailSender, mail: MailSettings,
                    body: dict[str, Any]) -> None:
    """Validate the form as PocketBase does, then send; a refused send is PocketBase's 400 with the raw error."""
    form = {key: body.get(key, "") for key in ("email", "template", "collection")}
    if not all(isinstance(value, str) for value in form.values()):
        raise BadRequestError("An error occurred while loading the submitted data.")
    problems = fields(form, {"email": (required, length(1, 255), is_email),
                             "template": (required, one_of(*TEMPLATES))})
    collection = None
    if form["collection"]:
        found = collections.find(form["collection"])
        collection = found.collection if found is not None and found.collection.type == "auth" else None
        if len(form["collection"]) > 255 or collection is None:
            problems = {"collection": error("validation_invalid_auth_collection",
                                            "Must be a valid auth collection id or name."), **problems}
    if problems:
        raise BadRequestError(FAILED, dict(sorted(problems.items())))
    if collection is None:
        collection = collections.get(SUPERUSERS_COLLECTION_NAME).collection
    message = render_test_email(collection, form["template"], form["email"])
    try:
        send_mail(sender, message, mail)
    except Exception as exc:
        raise BadRequestError(f"{FAILED} Raw error: \n{exc}") from exc
