"""Auth domain errors; each is an ApiError so that an unhandled one still answers in PocketBase's shape."""

from __future__ import annotations

from shared.errors import InternalError, UnauthorizedError


class AuthConfigurationError(InternalError):
    """The deployment is missing or has an invalid auth setting (e.g. no signing secret)."""

    default_message = "Something went wrong while processing your request."

    def __init__(self, detail: str) -> None:
        # The detail names the setting for the logs; clients only ever see the generic 500 message.
        self.detail = detail
        super().__init__()

    def __str__(self) -> str:
        return self.detail


class InvalidTokenError(UnauthorizedError):
    """A JWT that is malformed, expired, tampered with, of the wrong type, or signed with an unknown key."""

    def __init__(self, reason: str) -> None:
        # The reason is for logs and tests; the client gets PocketBase's generic 401 message.
        self.reason = reason
        super().__init__()


class InvalidRefreshTokenError(UnauthorizedError):
    """A refresh token that is unknown, expired, revoked or no longer current."""

    default_message = "The refresh token is invalid or has expired."

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()


class RefreshTokenReusedError(InvalidRefreshTokenError):
    """An already rotated refresh token was presented again; its whole family has been revoked."""

    def __init__(self) -> None:
        super().__init__("reused")


class StaleRefreshTokenError(Exception):
    """Data-access signal: the family's current token changed (or it was revoked) since it was read."""


class AuthStorageError(InternalError):
    """The auth data store failed; the request cannot be decided safely."""
