"""The account emails (verification, password reset, email change) from the collection's templates, via SES."""

from __future__ import annotations

import contextlib
import time

from shared.accounts.collaborators import Accounts
from shared.accounts.mail_guard import RESEND_INTERVAL_S
from shared.catalog.repository import StoredCollection
from shared.collections.model import EmailTemplate
from shared.mail.message import MailMessage
from shared.mail.render import html_to_text, resolve
from shared.mail.sender import send_mail
from shared.observability import logger
from shared.records.model import StoredRecord

_LAYOUT = ('<!DOCTYPE html>\n<html>\n<head>\n<meta name="viewport" content="width=device-width,initial-scale=1" />\n'
           '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n</head>\n<body>\n{body}\n'
           '</body>\n</html>')


def placeholders(accounts: Accounts, stored: StoredCollection, record: StoredRecord, token: str
                 ) -> dict[str, object]:
    """PocketBase's placeholders: {APP_NAME}, {APP_URL}, {TOKEN} and {RECORD:<field>} of non-hidden fields."""
    from shared.app_settings.provider import current

    meta = current().meta  # runtime settings (PATCH /api/settings), not the deploy-time env
    values: dict[str, object] = {
        "{APP_NAME}": meta.app_name,
        "{APP_URL}": meta.app_url.rstrip("/"),
        "{TOKEN}": token,
    }
    for field in stored.collection.fields:
        if not field.hidden:
            raw = record.data.get(field.id)
            values["{RECORD:" + field.name + "}"] = "" if raw is None else raw
    return values


def compose(accounts: Accounts, stored: StoredCollection, record: StoredRecord, template: EmailTemplate, to: str,
            kind: str, extra: dict[str, object]) -> MailMessage:
    """One account email from `template` with PocketBase's placeholders plus `extra` ({OTP}, {ALERT_INFO}...)."""
    values = {**placeholders(accounts, stored, record, ""), **extra}
    subject, body = resolve(template.subject, template.body, values)
    return MailMessage(to=(to,), subject=subject, html=_LAYOUT.format(body=body), text=html_to_text(body), kind=kind)


def send_template(accounts: Accounts, stored: StoredCollection, record: StoredRecord, template: EmailTemplate,
                  token: str, to: str, kind: str) -> bool:
    """Render and send one account email, at most once per kind and record every couple of minutes.

    Returns whether a mail went out. Failures are logged, never raised: the request-* endpoints answer 204
    either way, so that neither an existing account nor a mail outage can be told from the response.
    """
    collection_id = stored.collection.id
    try:
        acquired = accounts.resend.acquire(collection_id, record.id, kind, int(time.time()), RESEND_INTERVAL_S)
    except Exception:
        logger.exception("account mail guard failed", extra={"mail_kind": kind, "record_id": record.id})
        return False
    if not acquired:
        logger.info("account mail skipped: one was sent recently", extra={"mail_kind": kind, "record_id": record.id})
        return False
    subject, body = resolve(template.subject, template.body, placeholders(accounts, stored, record, token))
    message = MailMessage(to=(to,), subject=subject, html=_LAYOUT.format(body=body), text=html_to_text(body),
                          kind=kind)
    try:
        send_mail(accounts.mail, message, accounts.config)
    except Exception:
        logger.exception("account mail failed", extra={"mail_kind": kind, "record_id": record.id})
        with contextlib.suppress(Exception):
            accounts.resend.release(collection_id, record.id, kind)
        return False
    return True
