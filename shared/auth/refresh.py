"""Rotating opaque refresh tokens with reuse detection, on top of PocketBase's JWT auth-refresh."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

from shared.auth.errors import InvalidRefreshTokenError, RefreshTokenReusedError, StaleRefreshTokenError
from shared.auth.refresh_models import IssuedRefreshToken, RefreshFamily, RefreshSession
from shared.auth.refresh_repository import RefreshFamilyRepository
from shared.auth.settings import RefreshRules
from shared.errors import NotFoundError
from shared.observability import logger

Clock = Callable[[], float]

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{32,128})$")
MAX_USER_AGENT = 512


def hash_token(token: str) -> str:
    """SHA-256 of a refresh token; the token has 256 random bits, so a fast hash is enough (ASVS 6.5.2)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(family_id: str) -> str:
    return f"{family_id}.{secrets.token_urlsafe(32)}"


class RefreshSessionService:
    """Issue, rotate, list and revoke refresh-token families (a user's signed-in sessions)."""

    def __init__(self, repository: RefreshFamilyRepository, rules: RefreshRules | None = None,
                 clock: Clock = time.time) -> None:
        self._repo = repository
        self._rules = rules or RefreshRules()
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock())

    def issue(self, record_id: str, collection_id: str, *, user_agent: str = "", ip: str = "") -> IssuedRefreshToken:
        """Start a new family at sign-in and return its first token."""
        now = self._now()
        family_id = secrets.token_urlsafe(18)
        token = _new_token(family_id)
        family = RefreshFamily(
            id=family_id, record_id=record_id, collection_id=collection_id, created=now, last_used=now,
            expires_at=now + self._rules.refresh_family_lifetime_s, user_agent=user_agent[:MAX_USER_AGENT],
            ip=ip, current_hash=hash_token(token), rotated_at=now,
        )
        self._repo.create(family)
        return IssuedRefreshToken(token=token, session=family.session())

    def rotate(self, presented: str, *, user_agent: str = "", ip: str = "") -> IssuedRefreshToken:
        """Exchange the current token of a family for a new one; a replayed old token revokes the family."""
        match = _TOKEN.match(presented or "")
        if match is None:
            raise InvalidRefreshTokenError("malformed")
        family = self._repo.get(match.group(1))
        if family is None:
            raise InvalidRefreshTokenError("unknown_family")
        now = self._now()
        presented_hash = hash_token(presented)
        if family.revoked:
            raise InvalidRefreshTokenError("revoked")
        if family.expires_at <= now:
            raise InvalidRefreshTokenError("expired")
        if not hmac.compare_digest(presented_hash, family.current_hash):
            self._on_stale(family, presented_hash, now)
        token = _new_token(family.id)
        rotated = family.model_copy(update={
            "current_hash": hash_token(token),
            "previous_hashes": (*family.previous_hashes, family.current_hash)[-self._rules.refresh_reuse_history:],
            "rotated_at": now, "last_used": now,
            "user_agent": user_agent[:MAX_USER_AGENT] or family.user_agent, "ip": ip or family.ip,
        })
        try:
            self._repo.replace_token(rotated, family.current_hash, now)
        except StaleRefreshTokenError:
            # Another request rotated (or revoked) this family between our read and write: we lost the race.
            latest = self._repo.get(family.id)
            if latest is not None and not latest.revoked:
                self._on_stale(latest, presented_hash, now)
            raise InvalidRefreshTokenError("stale") from None
        return IssuedRefreshToken(token=token, session=rotated.session())

    def _on_stale(self, family: RefreshFamily, presented_hash: str, now: int) -> None:
        """Decide about a token of this family that is not its current one; always raises."""
        if presented_hash not in family.previous_hashes:
            # Never issued by this family (or too old to remember): refuse, but don't let a guessed
            # family id become a way to sign somebody out.
            raise InvalidRefreshTokenError("unknown_token")
        just_rotated = (family.previous_hashes[-1] == presented_hash
                        and now - family.rotated_at < self._rules.refresh_reuse_grace_s)
        if just_rotated:
            raise InvalidRefreshTokenError("concurrent_rotation")
        # Reuse of a rotated token means two parties hold the family: end it for both (OAuth 2.0 BCP 4.14.2).
        self._repo.revoke(family.collection_id, family.record_id, family.id, now)
        logger.warning("refresh token reuse; family revoked",
                       extra={"family_id": family.id, "record_id": family.record_id})
        raise RefreshTokenReusedError()

    def list_sessions(self, collection_id: str, record_id: str) -> list[RefreshSession]:
        """The record's live sessions (not revoked, not expired), most recently used first."""
        now = self._now()
        live = [f for f in self._repo.list_for_record(collection_id, record_id)
                if not f.revoked and f.expires_at > now]
        return [f.session() for f in sorted(live, key=lambda f: f.last_used, reverse=True)]

    def revoke(self, collection_id: str, record_id: str, family_id: str) -> None:
        """Sign one session out; 404 when the record has no such session."""
        if not self._repo.revoke(collection_id, record_id, family_id, self._now()):
            raise NotFoundError()

    def revoke_all(self, collection_id: str, record_id: str) -> int:
        """Sign every session of a record out (password change or reset); returns how many were live."""
        now = self._now()
        count = 0
        for family in self._repo.list_for_record(collection_id, record_id):
            if not family.revoked and family.expires_at > now:
                self._repo.revoke(collection_id, record_id, family.id, now)
                count += 1
        return count
