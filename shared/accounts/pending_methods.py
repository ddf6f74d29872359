"""OTP and OAuth2 sign-in, which Lambdabase does not offer yet: PocketBase's 403 while a method is disabled."""

from __future__ import annotations

from typing import Literal, NoReturn

from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, ForbiddenError

Method = Literal["otp", "oauth2"]
_NAMES = {"otp": "OTP", "oauth2": "OAuth2"}


def refuse_pending_method(stored: StoredCollection, method: Method) -> NoReturn:
    """Always raises: 403 as PocketBase when the collection has the method off; a 400 saying it is not available
    yet when it is on (docs/compatibility.md), rather than a sign-in that silently never works."""
    config = stored.collection.otp if method == "otp" else stored.collection.oauth2
    name = _NAMES[method]
    if not config.enabled:
        raise ForbiddenError(f"The collection is not configured to allow {name} authentication.")
    raise BadRequestError(f"{name} authentication is not available in Lambdabase yet.")
