"""Auth API of auth collections: every auth route of this function, one module per endpoint group."""

from __future__ import annotations

from fastapi import APIRouter

from functions.auth import (
    email_change,
    impersonate,
    methods,
    password,
    password_reset,
    pending_methods,
    refresh,
    sessions,
    throttle,
    verification,
)

router = APIRouter()
for module in (methods, password, refresh, verification, password_reset, email_change, impersonate, sessions,
               throttle, pending_methods):
    router.include_router(module.router)
