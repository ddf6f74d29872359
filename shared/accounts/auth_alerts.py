"""New-device alerts, as PocketBase's authAlert: `_authOrigins` fingerprints and the "login from a new location" mail.

Each completed sign-in (with a method, when the collection's `authAlert.enabled`) fingerprints its origin as
PocketBase does, `md5(ip + userAgent)` with the user agent cut at 200 characters plus "...". An origin the record
never signed in from is stored in `_authOrigins`; unless it is the record's first one ever, the alert mail goes
to the record's email first. A record keeps at most 5 origins: a new one pushes out the oldest.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from shared.accounts.auth_records import email_of, system_service
from shared.accounts.collaborators import Accounts
from shared.accounts.emails import compose
from shared.catalog.repository import StoredCollection
from shared.collections.datetime import format_datetime
from shared.collections.system import AUTH_ORIGINS_COLLECTION_NAME
from shared.mail.sender import send_mail
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

MAX_AUTH_ORIGINS = 5  # PocketBase's maxAuthOrigins
MAX_USER_AGENT = 200
ALERT_MAIL_KIND = "authAlert"


def fingerprint(ip: str, user_agent: str) -> str:
    """PocketBase's origin fingerprint: md5 of the IP and the (cut) user agent, hex."""
    return hashlib.md5((ip + _cut(user_agent)).encode(), usedforsecurity=False).hexdigest()


def _cut(user_agent: str) -> str:
    return user_agent[:MAX_USER_AGENT] + "..." if len(user_agent) > MAX_USER_AGENT else user_agent


def alert_info(ip: str, user_agent: str, now: datetime | None = None) -> str:
    """The {ALERT_INFO} text: "<now> - <ip> <user agent>", as PocketBase writes it."""
    return f"{format_datetime(now or datetime.now(UTC))} - {ip} {_cut(user_agent)}"


def alert_new_origin(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                     record: StoredRecord) -> None:
    """Remember this sign-in's origin and mail an alert when it is new; failures are logged, never raised
    (as PocketBase: an alert that cannot be sent does not fail the sign-in)."""
    try:
        _remember_origin(service, accounts, stored, record)
    except Exception:
        logger.warning("auth alert failed", extra={"collection_id": stored.collection.id, "record_id": record.id},
                       exc_info=True)


def record_origins(service: RecordScope, stored: StoredCollection, record: StoredRecord) -> list[dict[str, Any]]:
    """The record's `_authOrigins`, newest first (PocketBase's FindAllAuthOriginsByRecord)."""
    system = system_service(service)
    # Ids are [a-z0-9_] by the id field's pattern: nothing in them can break out of the quotes.
    page = system.reader.list_page(AUTH_ORIGINS_COLLECTION_NAME, {
        "filter": f"collectionRef = '{stored.collection.id}' && recordRef = '{record.id}'",
        "sort": "-created", "perPage": "100", "skipTotal": "1", "fields": "id,fingerprint,created"})
    return list(page["items"])


def _remember_origin(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                     record: StoredRecord) -> None:
    ip, user_agent = service.request.ip, service.request.user_agent
    current = fingerprint(ip, user_agent)
    origins = record_origins(service, stored, record)
    if any(origin.get("fingerprint") == current for origin in origins):
        return  # a known origin (PocketBase re-saves it to touch `updated`; docs/compatibility.md)
    address = email_of(stored, record)
    # The record's very first origin is no news to anyone: PocketBase skips that alert too.
    if origins and address:
        message = compose(accounts, stored, record, stored.collection.auth_alert.email_template, address,
                          ALERT_MAIL_KIND, {"{ALERT_INFO}": alert_info(ip, user_agent)})
        send_mail(accounts.mail, message, accounts.config)  # raises: the origin stays unknown, so it alerts again
    system = system_service(service)
    for old in origins[MAX_AUTH_ORIGINS - 1:]:
        system.writer.delete(AUTH_ORIGINS_COLLECTION_NAME, str(old["id"]))
    system.writer.create(AUTH_ORIGINS_COLLECTION_NAME, {
        "collectionRef": stored.collection.id, "recordRef": record.id, "fingerprint": current})
