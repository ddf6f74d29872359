"""Signing secrets: `whsec_` + base64 of 24 random bytes, and the keys a subscription signs with during a rotation.

A rotation makes a new current secret and keeps the previous one signing until its overlap ends, so receivers
can switch secrets without losing deliveries (Standard Webhooks allows several `v1,` signatures in one header).
"""

from __future__ import annotations

import base64
import binascii
import secrets as random

from pydantic import BaseModel

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
# More than two rotations within one overlap keep at most this many old secrets signing.
MAX_PREVIOUS = 3


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode()


def secret_error(secret: object) -> str | None:
    """Why a secret a superuser chose is unusable, or None."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        return f"The secret must start with {SECRET_PREFIX}."
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return "The secret must be base64 after its prefix."
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        return f"The secret must encode {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes."
    return None


class RetiredSecret(BaseModel):
    secret: str
    until: float  # epoch seconds: signs until then


class SigningKeys(BaseModel):
    """One subscription's secrets: the current one and those still in their overlap."""

    current: str
    previous: list[RetiredSecret] = []

    def signing(self, now: float) -> list[str]:
        """Every secret that signs a delivery at `now`, the current one first."""
        return [self.current, *(p.secret for p in self.previous if p.until > now)]

    def rotated(self, new: str, now: float, overlap_s: float) -> SigningKeys:
        kept = [p for p in self.previous if p.until > now]
        if overlap_s > 0:
            kept.insert(0, RetiredSecret(secret=self.current, until=now + overlap_s))
        return SigningKeys(current=new, previous=kept[:MAX_PREVIOUS])
