"""Conformance of the health endpoint: GET/HEAD /api/health for every role."""

from __future__ import annotations

import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

CASES = cases(
    Case("health as guest", "GET", "/api/health", role=GUEST),
    Case("health as superuser", "GET", "/api/health"),
    Case("health as user", "GET", "/api/health", role="alice"),
    Case("health as superuser behind a proxy", "GET", "/api/health", headers={"X-Forwarded-For": "203.0.113.5"}),
    Case("health as superuser behind Fly", "GET", "/api/health",
         headers={"Fly-Client-IP": "203.0.113.5", "X-Forwarded-For": "203.0.113.5"}),
    Case("health as superuser behind Cloudflare", "GET", "/api/health", headers={"CF-Connecting-IP": "203.0.113.5"}),
    Case("health as user behind a proxy", "GET", "/api/health", role="alice",
         headers={"X-Forwarded-For": "203.0.113.5"}),
    Case("health with a forged token", "GET", "/api/health", role=GUEST, headers={"Authorization": "abc.def.ghi"}),
    # Lambdabase reads `lb_…` as an API token (401 on every other route); health, as PocketBase's, answers anyone
    Case("health with an unknown API token", "GET", "/api/health", role=GUEST,
         headers={"Authorization": "Bearer lb_abcdefghijklmno_" + "A" * 43}),
    Case("health with a query string", "GET", "/api/health", role=GUEST, params={"x": "1"}),
    Case("health HEAD", "HEAD", "/api/health", role=GUEST),
    Case("health POST is not allowed", "POST", "/api/health", role=GUEST),
    Case("health with a trailing slash", "GET", "/api/health/", role=GUEST),
)


@pytest.mark.parametrize("case", CASES)
def test_health(paired: PairedClient, case: Case) -> None:
    # Given both servers up, When the same health request goes to both, Then status and body agree
    check(paired, case)
