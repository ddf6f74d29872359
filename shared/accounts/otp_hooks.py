"""Forget what an auth record's old credentials let in, as PocketBase's record hooks do: a new `tokenKey` deletes
the record's OTP codes, a new password its known sign-in origins (`_authOrigins`), and deleting the record takes
its codes, MFA sessions, origins and OAuth2 links (`_externalAuths`) with it."""

from __future__ import annotations

from shared.collections.model import TOKEN_KEY_FIELD
from shared.collections.system import (
    AUTH_ORIGINS_COLLECTION_NAME,
    EXTERNAL_AUTHS_COLLECTION_NAME,
    MFAS_COLLECTION_NAME,
    OTPS_COLLECTION_NAME,
)
from shared.observability import logger
from shared.records.context import RequestContext
from shared.records.hooks import RecordEvent
from shared.records.scope import RecordScope

PAGE = 200


def forget_after_credential_change(event: RecordEvent) -> None:
    """An after-update hook: a code mailed before a password reset (or an email change) no longer signs in, and
    the next sign-in from a device known before a password change alerts as from a new one."""
    if not event.collection.is_auth or event.write is None:
        return
    changed = event.write.changed
    targets = [name for name, field_name in ((OTPS_COLLECTION_NAME, TOKEN_KEY_FIELD),
                                             (AUTH_ORIGINS_COLLECTION_NAME, "password"))
               if (field := event.collection.field_by_name(field_name)) is not None and field.id in changed]
    if not targets:
        return
    try:
        scope = _system_scope(event.request)
        for name in targets:
            _delete_all(scope, name, event.collection.id, event.record.id)
    except Exception:
        # The record's write is done; leftovers still expire (codes) or only cost one alert less (origins).
        logger.warning("credential change: old codes or origins not deleted", exc_info=True,
                       extra={"collection_id": event.collection.id, "record_id": event.record.id})


def forget_deleted_auth_record(event: RecordEvent) -> None:
    """An after-delete hook: a deleted account leaves no code, MFA session, origin or OAuth2 link behind, so a
    provider identity it held can sign up again and nothing lists a record that is gone."""
    if not event.collection.is_auth:
        return
    try:
        scope = _system_scope(event.request)
        for name in (EXTERNAL_AUTHS_COLLECTION_NAME, AUTH_ORIGINS_COLLECTION_NAME, MFAS_COLLECTION_NAME,
                     OTPS_COLLECTION_NAME):
            _delete_all(scope, name, event.collection.id, event.record.id)
    except Exception:
        # The delete is done; leftovers point at no record (a sign-in drops a stale OAuth2 link when it meets one).
        logger.warning("auth record deleted: its codes, sessions, origins or links not all deleted", exc_info=True,
                       extra={"collection_id": event.collection.id, "record_id": event.record.id})


def _system_scope(request: RequestContext) -> RecordScope:
    from shared.composition import composition

    root = composition()
    ctx = RequestContext(method="DELETE", system=True, ip=request.ip, user_agent=request.user_agent,
                         request_id=request.request_id)
    return RecordScope(root.collections, root.records, ctx, root.hooks)


def _delete_all(scope: RecordScope, name: str, collection_id: str, record_id: str) -> None:
    # Ids are [a-z0-9_] by the id field's pattern: nothing in them can break out of the quotes.
    page = scope.reader.list_page(name, {"filter": f"collectionRef = '{collection_id}' && recordRef = '{record_id}'",
                                         "perPage": str(PAGE), "skipTotal": "1", "fields": "id"})
    for item in page["items"]:
        scope.writer.delete(name, str(item["id"]))
