"""The auth-limits setup (small throttle and rate limits) and signing users up and in over plain HTTP, shared by
the suites that watch the auth endpoints' limits."""

from __future__ import annotations

import json
import uuid

import httpx

PASSWORD = "Plum-Orchard-4471"
ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"
APP_ORIGIN = "https://app.example.com"
# The limited sign-in rule's window: short, as a test waits for a window's start and then out its Retry-After.
SIGN_IN_WINDOW_S = 2
RULES = [
    {"label": "throttled:authWithPassword", "maxRequests": 1000, "duration": 60},  # exact label wins
    {"label": "_superusers:authWithPassword", "maxRequests": 1000, "duration": 60},
    {"label": "*:authWithPassword", "maxRequests": 3, "duration": SIGN_IN_WINDOW_S},
    {"label": "POST /api/collections/*/records", "maxRequests": 2, "duration": 60, "audience": "@auth"},
    {"label": "/api/", "maxRequests": 10_000, "duration": 60},
]
ENV = {
    "LB_SUPERUSER_EMAIL": ROOT_EMAIL, "LB_SUPERUSER_PASSWORD": ROOT_PASSWORD,
    "LB_RATE_LIMITS": json.dumps(RULES),
    "LB_THROTTLE_FREE_FAILURES": "3", "LB_THROTTLE_MAX_DELAY_S": "2",
    "LB_THROTTLE_ACCOUNT_MAX_FAILURES_PER_HOUR": "6", "LB_THROTTLE_IP_MAX_FAILURES_PER_HOUR": "12",
    "LB_CORS_ORIGINS": APP_ORIGIN,
}


def email(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def new_user(api: httpx.Client, collection: str = "users") -> str:
    address = email()
    response = api.post(f"/api/collections/{collection}/records",
                        json={"email": address, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert response.status_code == 200, response.text
    return address


def sign_in(api: httpx.Client, identity: str, password: str = PASSWORD, collection: str = "users"
            ) -> httpx.Response:
    return api.post(f"/api/collections/{collection}/auth-with-password",
                    json={"identity": identity, "password": password})
