"""The fill token of a form: a signature over the form's id and the time it was fetched, for the minimum fill time.

`v1.<kid>.<form id>.<issued ms>.<HMAC-SHA256, base64url>`, under a key derived from the auth keyring's key `kid`
(HMAC(secret, "lambdabase form fill token")), so it can never pass for an auth token nor be made from one. It is
not secret and not single-use: it only proves when the page was fetched; the rate limit bounds its reuse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

from shared.auth.keyring import Keyring

_VERSION = "v1"
_PURPOSE = b"lambdabase form fill token"
Clock = Callable[[], float]


class FillTokenError(ValueError):
    """A fill token that is missing, forged, for another form, from the future, too old or too fresh."""


class FillTokens:
    """Issue and check fill tokens with the auth keyring: the active key signs, every key still verifies."""

    def __init__(self, keyring: Keyring, clock: Clock = time.time) -> None:
        self._keyring = keyring
        self._clock = clock

    def _mac(self, kid: str, message: str) -> str | None:
        secret = self._keyring.secret(kid)
        if secret is None:
            return None
        key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
        digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, form_id: str) -> str:
        kid = self._keyring.active
        message = f"{_VERSION}.{kid}.{form_id}.{int(self._clock() * 1000)}"
        return f"{message}.{self._mac(kid, message)}"

    def check(self, token: object, form_id: str, *, min_fill_s: int, max_age_s: int) -> None:
        """FillTokenError unless `token` was issued for this form between `max_age_s` and `min_fill_s` ago."""
        if not isinstance(token, str) or not token:
            raise FillTokenError("missing")
        parts = token.split(".")
        if len(parts) != 5 or parts[0] != _VERSION or not parts[3].isdigit():
            raise FillTokenError("malformed")
        message, signature = ".".join(parts[:4]), parts[4]
        expected = self._mac(parts[1], message)
        # constant time: the signature is compared without telling how much of it matched
        if expected is None or not hmac.compare_digest(expected, signature):
            raise FillTokenError("forged")
        if parts[2] != form_id:
            raise FillTokenError("another form")
        elapsed = self._clock() - int(parts[3]) / 1000
        if elapsed < -5:  # a little clock skew between instances, not a token from the future
            raise FillTokenError("from the future")
        if elapsed > max_age_s:
            raise FillTokenError("expired")
        if elapsed < min_fill_s:
            raise FillTokenError("too fast")
