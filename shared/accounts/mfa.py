"""PocketBase's MFA (checkMFA): a first sign-in method answers 401 `{mfaId}`, a different second one completes it.

The flow, as PocketBase 0.40.6's `apis/record_helpers.go`:

1. A method succeeds (password, OTP, OAuth2, or Lambdabase's TOTP) for a record that wants MFA and the request
   carries no `mfaId`: an `_mfas` record (collectionRef, recordRef, method) is created and the answer is
   401 `{"mfaId": "<its id>"}` (not the error shape: the SDK reads `mfaId` from it).
2. Another method succeeds with that `mfaId` (query or body): the `_mfas` record must exist, be younger than
   the collection's `mfa.duration`, belong to the same record and collection, and name another method. It is
   then deleted and the sign-in completes.

Whether a record wants MFA: the `Accounts.mfa_overrides` are asked in order (the first True or False decides);
with no opinion, PocketBase decides: `mfa.enabled`, then `mfa.rule` (empty: everyone) over the record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from shared.accounts.auth_records import system_service, value
from shared.catalog.repository import StoredCollection
from shared.collections.datetime import parse_datetime
from shared.collections.ids import is_valid_record_id
from shared.collections.system import MFAS_COLLECTION_NAME
from shared.errors import ApiError, BadRequestError, NotFoundError, PreconditionFailedError, UnauthorizedError
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.rules import parse_rule
from shared.records.scope import RecordScope

INVALID_OR_EXPIRED = "Invalid or expired MFA session."
INVALID_SESSION = "Invalid MFA session."
SAME_METHOD = "A different authentication method is required."
READ_FAILED = "Failed to read MFA Id."
RULE_FAILED = "Failed to authenticate."

# (scope, collection, record, body merged with query) -> True: a second factor is required; False: it is not;
# None: no opinion (PocketBase's mfa.enabled and mfa.rule decide).
MfaOverride = Callable[[RecordScope, StoredCollection, StoredRecord, dict[str, Any]], "bool | None"]


class MfaRequiredError(UnauthorizedError):
    """The first factor passed and a second is required: PocketBase's bare 401 `{"mfaId": ...}`."""

    def __init__(self, mfa_id: str) -> None:
        super().__init__("MFA required.")
        self.mfa_id = mfa_id

    def body(self) -> dict[str, Any]:
        return {"mfaId": self.mfa_id}


class MfaSession(msgspec.Struct, frozen=True):
    """One `_mfas` record: a first factor waiting for a second one."""

    id: str
    collection_ref: str
    record_ref: str
    method: str
    created: str  # PocketBase's datetime text
    etag: str

    def has_expired(self, duration_s: int, now: float | None = None) -> bool:
        """As PocketBase's MFA.HasExpired: more than `duration_s` since it was created (unreadable: expired)."""
        created = parse_datetime(self.created)
        if created is None:
            return True
        return (time.time() if now is None else now) - created.timestamp() > duration_s


def _mfas(service: RecordScope) -> StoredCollection:
    return service.collections.get(MFAS_COLLECTION_NAME)


def load_mfa_session(service: RecordScope, mfa_id: str) -> MfaSession | None:
    """The `_mfas` record `mfa_id` as it is stored, expired or not, of any collection; None when there is none."""
    if not is_valid_record_id(mfa_id):
        return None  # no read for what no generated id looks like
    mfas = _mfas(service)
    record = service.records.get(mfas.collection.id, mfa_id, service.meter)
    if record is None:
        return None
    return MfaSession(id=record.id, collection_ref=str(value(mfas, record, "collectionRef") or ""),
                      record_ref=str(value(mfas, record, "recordRef") or ""),
                      method=str(value(mfas, record, "method") or ""),
                      created=str(value(mfas, record, "created") or ""), etag=record.etag)


def find_mfa_session(service: RecordScope, stored: StoredCollection, mfa_id: str) -> MfaSession | None:
    """The live MFA session `mfa_id` of the auth collection `stored`, or None.

    Live: the `_mfas` record exists, belongs to `stored` and is younger than `stored`'s `mfa.duration`. Use it
    to see which method (`.method`) and record (`.record_ref`) a pending sign-in started with, e.g. before
    asking for a TOTP code; completing the sign-in stays `signin.auth_response`'s job (it consumes the session).
    """
    session = load_mfa_session(service, mfa_id)
    if session is None or session.collection_ref != stored.collection.id:
        return None
    if session.has_expired(stored.collection.mfa.duration):
        return None
    return session


def request_mfa_id(params: Mapping[str, str], body: Mapping[str, Any] | None) -> str:
    """`mfaId` from the query, else from the body, as PocketBase reads it; a non-string body value is a 400."""
    from_query = params.get("mfaId") or ""
    if from_query:
        return from_query
    raw = (body or {}).get("mfaId")
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadRequestError(READ_FAILED)
    return raw


def wants_mfa(service: RecordScope, stored: StoredCollection, record: StoredRecord, params: Mapping[str, str],
              body: Mapping[str, Any] | None, overrides: tuple[MfaOverride, ...] = ()) -> bool:
    """Whether this sign-in of `record` needs a second factor: the overrides first, then PocketBase's options."""
    merged: dict[str, Any] = {**(body or {}), **params}
    for override in overrides:
        verdict = override(service, stored, record, merged)
        if verdict is not None:
            return verdict
    options = stored.collection.mfa
    if not options.enabled:
        return False
    if not options.rule.strip():
        return True
    try:
        return service.rules.matches(parse_rule(options.rule), stored.collection, record)
    except Exception as exc:
        # As PocketBase: a rule that cannot be evaluated refuses the sign-in rather than skipping the factor.
        logger.warning("MFA rule failure", extra={"collection_id": stored.collection.id, "error": str(exc)})
        raise BadRequestError(RULE_FAILED) from exc


def check_mfa(service: RecordScope, stored: StoredCollection, record: StoredRecord, method: str,
              params: Mapping[str, str], body: Mapping[str, Any] | None,
              overrides: tuple[MfaOverride, ...] = ()) -> None:
    """Pass (return) when the sign-in may complete; raise MfaRequiredError (401) or PocketBase's 400s."""
    if not method:
        return  # "" skips MFA, as PocketBase's recordAuthResponse
    if not wants_mfa(service, stored, record, params, body, overrides):
        return
    mfa_id = request_mfa_id(params, body)
    if not mfa_id:
        raise MfaRequiredError(_start_session(service, stored, record, method))
    session = load_mfa_session(service, mfa_id)
    if session is None or session.has_expired(stored.collection.mfa.duration):
        if session is not None:
            _delete(service, session)
        raise BadRequestError(INVALID_OR_EXPIRED)
    # Another record's or collection's session never completes this sign-in (and is left for its owner).
    if session.record_ref != record.id or session.collection_ref != stored.collection.id:
        raise BadRequestError(INVALID_SESSION)
    if session.method == method:
        raise BadRequestError(SAME_METHOD)
    # Consumed by a conditional delete: of two requests racing with one mfaId, only one completes.
    if not _delete(service, session):
        raise BadRequestError(INVALID_OR_EXPIRED)
    logger.info("MFA completed", extra={"collection_id": stored.collection.id, "record_id": record.id,
                                        "first_method": session.method, "second_method": method})


def _start_session(service: RecordScope, stored: StoredCollection, record: StoredRecord, method: str) -> str:
    created = system_service(service).writer.create(MFAS_COLLECTION_NAME, {
        "collectionRef": stored.collection.id, "recordRef": record.id, "method": method})
    logger.info("MFA required", extra={"collection_id": stored.collection.id, "record_id": record.id,
                                       "method": method})
    return created.record.id


def _delete(service: RecordScope, session: MfaSession) -> bool:
    """Delete the session if it is still the version read; False when another request took it first."""
    try:
        system_service(service).writer.delete(MFAS_COLLECTION_NAME, session.id, if_match=session.etag)
    except (NotFoundError, PreconditionFailedError):
        return False
    except ApiError:
        logger.warning("failed to delete MFA session", extra={"mfa_id": session.id})
        return False
    return True
