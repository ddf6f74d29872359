"""Who an API token acts as: its stored item read by key, its secret, expiry and owner checked on every use.

No cache: each use reads the token item (one strongly consistent GetItem), so a revocation or a rotation
takes effect on the very next request, on every instance.
"""

from __future__ import annotations

import time

from shared.auth.api_tokens import ApiToken, MalformedApiTokenError, key_fingerprint, parse_token, secret_matches
from shared.auth.api_tokens_repository import ApiTokenRepository
from shared.auth.caller import token_key_of
from shared.catalog.repository import CollectionRepository
from shared.records.context import AuthState
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository


def api_token_owner(token: str, repository: ApiTokenRepository, collections: CollectionRepository,
                    records: RecordRepository, now: float | None = None) -> AuthState | None:
    """The owner of a valid API token, carrying the token's grant; None for any malformed, unknown, wrongly
    signed, expired or orphaned token (the caller answers 401)."""
    found = api_token_and_owner(token, repository, collections, records, now)
    return found[1] if found else None


def api_token_and_owner(token: str, repository: ApiTokenRepository, collections: CollectionRepository,
                        records: RecordRepository, now: float | None = None) -> tuple[ApiToken, AuthState] | None:
    """`api_token_owner` with the stored token too (realtime keeps its id and expiry to re-check it later)."""
    try:
        token_id, secret = parse_token(token)
    except MalformedApiTokenError:
        return None
    stored = repository.get(token_id)
    # compared in constant time: the id is public in the token, only the secret's hash decides
    if stored is None or not secret_matches(secret, stored.secret_hash):
        return None
    if stored.expired(time.time() if now is None else now):
        return None
    found = collections.find(stored.collection_id)
    if found is None or not found.collection.is_auth:
        return None
    record = records.get(found.collection.id, stored.record_id, ReadMeter())
    if record is None:
        return None  # the owner was deleted
    token_key = token_key_of(found.collection, record.data)
    # a new tokenKey (password or email changed, signed out everywhere) ends the owner's API tokens too
    if not token_key or key_fingerprint(token_key) != stored.key_hash:
        return None
    return stored, AuthState(record=record, collection=found.collection, grant=stored.grant())
