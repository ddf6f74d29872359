"""API tokens of an auth record: create (shown once), list, rotate and revoke them, and revoke them all when
the owner's credentials change or the owner is deleted.

Who may: the record itself, signed in with a JWT (an API token never manages tokens: the auth endpoints
refuse it), or any superuser, for any auth record, superusers included.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from shared.accounts.auth_records import VALIDATION_FAILED, load, require_auth
from shared.auth.api_tokens import (
    ApiToken,
    format_token,
    hash_secret,
    key_fingerprint,
    new_secret,
    new_token_id,
    normalize_scopes,
)
from shared.auth.api_tokens_repository import ApiTokenRepository
from shared.auth.caller import token_key_of
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, ForbiddenError, NotFoundError
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.hooks import RecordEvent, RecordHooks
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

CREDENTIALS_REFUSED = "An API token cannot change a password, an email or a tokenKey."
MAX_NAME_LENGTH = 100
MAX_SCOPES = 100
# Enough for any script; more tokens per record are a leak waiting to happen, and one index page lists them.
MAX_TOKENS_PER_OWNER = 50
MIN_DURATION_S = 60
DEFAULT_DURATION_S = 90 * 86400
# Every token expires: a forgotten one stops working within a year at most.
MAX_DURATION_S = 365 * 86400


def _date(epoch: int) -> str:
    """PocketBase's datetime format ('' for never)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.000Z") if epoch else ""


def token_json(token: ApiToken, secret: str | None = None) -> dict[str, Any]:
    """A token as the API shows it: never its hash; the token itself only right after create or rotate."""
    out: dict[str, Any] = {
        "id": token.id, "collectionId": token.collection_id, "recordId": token.record_id, "name": token.name,
        "scopes": list(token.scopes), "readOnly": token.read_only, "created": _date(token.created),
        "expires": _date(token.expires_at), "lastUsed": _date(token.last_used), "lastUsedIp": token.last_ip,
        "usageCount": token.uses,
    }
    if secret is not None:
        out["token"] = format_token(token.id, secret)
    return out


def _manager(auth: AuthState | None, stored: StoredCollection, record_id: str) -> AuthState:
    """The caller, when it is the record itself or a superuser (403 for anyone else, 401 for a guest)."""
    caller = require_auth(auth)
    # checked before reading anything: another record's tokens are not even confirmed to exist
    if not caller.is_superuser and (caller.collection.id, caller.record.id) != (stored.collection.id, record_id):
        raise ForbiddenError()
    return caller


def _invalid(name: str, code: str, message: str) -> BadRequestError:
    return BadRequestError(VALIDATION_FAILED, {name: {"code": code, "message": message}})


def _scopes(service: RecordScope, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise _invalid("scopes", "validation_required", "Cannot be blank.")
    if len(raw) > MAX_SCOPES or not all(isinstance(s, str) for s in raw):
        raise _invalid("scopes", "validation_invalid_scopes", f"At most {MAX_SCOPES} collection:action texts.")
    try:
        scopes = normalize_scopes(raw)
    except ValueError as exc:
        raise _invalid("scopes", "validation_invalid_scopes", str(exc)) from exc
    for scope in scopes:
        collection = scope.partition(":")[0]
        if collection != "*" and service.collections.find(collection) is None:
            raise _invalid("scopes", "validation_invalid_scopes", f"Unknown collection {collection!r}.")
    return scopes


def _duration(raw: Any) -> int:
    if raw is None:
        return DEFAULT_DURATION_S
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_DURATION_S <= raw <= MAX_DURATION_S:
        raise _invalid("duration", "validation_invalid_duration",
                       f"Must be a whole number of seconds between {MIN_DURATION_S} and {MAX_DURATION_S}.")
    return raw


def create_token(service: RecordScope, repository: ApiTokenRepository, stored: StoredCollection, record_id: str,
                 body: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """A new token for the record; the answer carries the token itself, which is never shown again."""
    caller = _manager(service.request.auth, stored, record_id)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("name", "validation_required", "Cannot be blank.")
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid("name", "validation_length_out_of_range", f"Must be at most {MAX_NAME_LENGTH} characters.")
    scopes = _scopes(service, body.get("scopes"))
    read_only = body.get("readOnly", False)
    if not isinstance(read_only, bool):
        raise _invalid("readOnly", "validation_invalid_bool", "Must be a boolean.")
    duration = _duration(body.get("duration"))
    record = load(service, stored, record_id)
    if record is None:
        raise NotFoundError()
    minted = mint_token(repository, stored, record, name=name.strip(), scopes=scopes, read_only=read_only,
                        duration_s=duration, now=time.time() if now is None else now)
    logger.info("api token created", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                            "token_id": minted["id"], "by": caller.record.id})
    return minted


def mint_token(repository: ApiTokenRepository, stored: StoredCollection, record: StoredRecord, *, name: str,
               scopes: tuple[str, ...], read_only: bool, duration_s: int, now: float) -> dict[str, Any]:
    """Store a new token of the record (checked input) and answer it with its secret, shown this once."""
    if len(repository.list_for_owner(stored.collection.id, record.id)) >= MAX_TOKENS_PER_OWNER:
        raise BadRequestError(f"A record may have at most {MAX_TOKENS_PER_OWNER} API tokens; revoke one first.")
    moment = int(now)
    secret = new_secret()
    token = ApiToken(id=new_token_id(), collection_id=stored.collection.id, record_id=record.id, name=name,
                     secret_hash=hash_secret(secret), scopes=scopes, read_only=read_only, created=moment,
                     expires_at=moment + duration_s, key_hash=key_fingerprint(token_key_of(stored.collection,
                                                                                           record.data)))
    repository.create(token)
    return token_json(token, secret)


def list_tokens(service: RecordScope, repository: ApiTokenRepository, stored: StoredCollection,
                record_id: str) -> list[dict[str, Any]]:
    """The record's tokens, oldest first, without their secrets."""
    _manager(service.request.auth, stored, record_id)
    return [token_json(t) for t in repository.list_for_owner(stored.collection.id, record_id)]


def rotate_token(service: RecordScope, repository: ApiTokenRepository, stored: StoredCollection, record_id: str,
                 token_id: str) -> dict[str, Any]:
    """A new secret for the same token (id, name, scopes, expiry); the old secret stops working at once."""
    caller = _manager(service.request.auth, stored, record_id)
    current = repository.get(token_id)
    if current is None or (current.collection_id, current.record_id) != (stored.collection.id, record_id):
        raise NotFoundError()
    secret = new_secret()
    if not repository.replace_secret(token_id, stored.collection.id, record_id, hash_secret(secret)):
        raise NotFoundError()  # revoked meanwhile
    logger.info("api token rotated", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                            "token_id": token_id, "by": caller.record.id})
    return token_json(current.model_copy(update={"secret_hash": hash_secret(secret)}), secret)


def revoke_token(service: RecordScope, repository: ApiTokenRepository, stored: StoredCollection, record_id: str,
                 token_id: str) -> None:
    """Delete one token: its next use answers 401."""
    caller = _manager(service.request.auth, stored, record_id)
    if not repository.delete(token_id, stored.collection.id, record_id):
        raise NotFoundError()
    logger.info("api token revoked", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                            "token_id": token_id, "by": caller.record.id})


def revoke_all_tokens(repository: ApiTokenRepository, collection_id: str, record_id: str) -> int:
    """Delete every token of the record; the count deleted."""
    return sum(repository.delete(t.id, collection_id, record_id)
               for t in repository.list_for_owner(collection_id, record_id))


def revoke_record_tokens(service: RecordScope, repository: ApiTokenRepository, stored: StoredCollection,
                     record_id: str) -> None:
    """DELETE of the whole list: every token of the record."""
    caller = _manager(service.request.auth, stored, record_id)
    count = revoke_all_tokens(repository, stored.collection.id, record_id)
    logger.info("api tokens revoked", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                             "tokens": count, "by": caller.record.id})


def revoke_tokens_after_change(event: RecordEvent) -> None:
    """A new tokenKey already ended the record's tokens (their owner check fails); a deleted record's too.
    Delete their items as well, so that they leave the list and are gone should the old key ever return."""
    from shared.accounts.collaborators import accounts
    from shared.auth.api_tokens_repository import get_api_token_repository
    from shared.collections.model import TOKEN_KEY_FIELD

    if not event.collection.is_auth:
        return
    if event.action == "update":
        field = event.collection.field_by_name(TOKEN_KEY_FIELD)
        if field is None or event.write is None or field.id not in event.write.changed:
            return
    count = revoke_all_tokens(get_api_token_repository(accounts().config.system_table), event.collection.id,
                              event.record.id)
    if count:
        logger.info("credentials changed or record deleted; api tokens revoked", extra={
            "collection_id": event.collection.id, "record_id": event.record.id, "tokens": count})


def refuse_credential_writes(event: RecordEvent) -> None:
    """An API token never changes a password, an email or a tokenKey (its owner's or, for a superuser's token,
    anyone's): a leaked script token must not be able to take the account over."""
    from shared.collections.model import TOKEN_KEY_FIELD

    auth = event.request.auth
    if auth is None or auth.grant is None or not event.collection.is_auth or event.write is None:
        return
    guarded = {f.id for f in event.collection.fields if f.name in ("password", "email", TOKEN_KEY_FIELD)}
    if guarded.intersection(event.write.changed):
        raise ForbiddenError(CREDENTIALS_REFUSED)


def register_api_token_hooks(hooks: RecordHooks) -> None:
    """On the records hook seam (shared/records/hooks.py)."""
    hooks.on("before", refuse_credential_writes, actions=("update",))
    hooks.on("after", revoke_tokens_after_change, actions=("update", "delete"))
