"""Refresh-token family models: the stored family, the session view of it, and an issued token."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Built on first use (`defer_build`): only the refresh-token routes read them, never a function's first read.

class RefreshFamily(BaseModel):
    """One sign-in's chain of rotating refresh tokens; only SHA-256 hashes of tokens are kept."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    record_id: str
    collection_id: str
    created: int
    last_used: int
    expires_at: int
    user_agent: str = ""
    ip: str = ""
    current_hash: str
    # When the current token was issued, to tell a racing client from a replay.
    rotated_at: int
    previous_hashes: tuple[str, ...] = ()
    revoked: bool = False
    revoked_at: int | None = None

    def session(self) -> RefreshSession:
        return RefreshSession(
            id=self.id, record_id=self.record_id, collection_id=self.collection_id, created=self.created,
            last_used=self.last_used, expires_at=self.expires_at, user_agent=self.user_agent, ip=self.ip,
        )


class RefreshSession(BaseModel):
    """What a user sees of a family in a sessions list: no hashes."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    id: str
    record_id: str = Field(serialization_alias="recordId")
    collection_id: str = Field(serialization_alias="collectionId")
    created: int
    last_used: int = Field(serialization_alias="lastUsed")
    expires_at: int = Field(serialization_alias="expiresAt")
    user_agent: str = Field(default="", serialization_alias="userAgent")
    ip: str = ""


class IssuedRefreshToken(BaseModel):
    """A new opaque refresh token (shown to the client once) and the session it belongs to."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    token: str
    session: RefreshSession
