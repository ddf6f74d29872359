"""`auth-methods`: the sign-in methods of an auth collection, in PocketBase's shape (legacy fields included)."""

from __future__ import annotations

from typing import Any

from shared.accounts.oauth2.discovery import provider_infos
from shared.accounts.oauth2.outbound import Outbound, default_outbound
from shared.catalog.repository import StoredCollection


def auth_methods(stored: StoredCollection, outbound: Outbound | None = None) -> dict[str, Any]:
    """Password, OAuth2 (each provider with a fresh state and PKCE pair), MFA and OTP as PocketBase answers them."""
    c = stored.collection
    password_enabled = c.password_auth.enabled
    identity_fields = list(c.password_auth.identity_fields) if password_enabled else []
    providers: list[dict[str, Any]] = []
    if c.oauth2.enabled:
        providers = provider_infos(c.oauth2.providers, outbound or default_outbound())
    return {
        "password": {"identityFields": identity_fields, "enabled": password_enabled},
        "oauth2": {"providers": providers, "enabled": c.oauth2.enabled},
        "mfa": {"enabled": c.mfa.enabled, "duration": c.mfa.duration if c.mfa.enabled else 0},
        "otp": {"enabled": c.otp.enabled, "duration": c.otp.duration if c.otp.enabled else 0},
        # legacy fields of PocketBase < 0.23 clients (without the logos)
        "authProviders": [{**provider, "logo": ""} for provider in providers],
        "usernamePassword": password_enabled and "username" in identity_fields,
        "emailPassword": password_enabled and "email" in identity_fields,
    }
