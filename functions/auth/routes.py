"""Auth API of auth collections: every auth route of this function, one module per endpoint group.

An endpoint module imports the logic of a feature few requests use (OAuth2, OTP, TOTP, email change, password
reset, verification, impersonation) inside its endpoints: init builds the routes, and a cold start pays for a
feature's modules (pyotp, the QR encoder, the OAuth2 providers...) only when its request comes.
"""

from __future__ import annotations

from functions.auth import (
    api_tokens,
    apple_secret,
    email_change,
    impersonate,
    methods,
    oauth2,
    otp,
    password,
    password_reset,
    refresh,
    sessions,
    throttle,
    totp,
    verification,
)
from shared.http.router import Router

# Every endpoint module's router, in the order the app matches them.
routers: tuple[Router, ...] = tuple(
    module.router for module in (methods, password, refresh, verification, password_reset, email_change,
                                 impersonate, sessions, throttle, api_tokens, otp, totp, oauth2, apple_secret))
