"""Conformance of the health endpoint: GET/HEAD /api/health for every role."""

from __future__ import annotations

import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

CASES = cases(
    Case("health as guest", "GET", "/api/health", role=GUEST),
    Case("health as superuser", "GET", "/api/health"),
    Case("health as user", "GET", "/api/health", role="alice"),
    Case("health with a query string", "GET", "/api/health", role=GUEST, params={"x": "1"}),
    Case("health HEAD", "HEAD", "/api/health", role=GUEST),
    Case("health POST is not allowed", "POST", "/api/health", role=GUEST),
    Case("health with a trailing slash", "GET", "/api/health/", role=GUEST),
)


@pytest.mark.parametrize("case", CASES)
def test_health(paired: PairedClient, case: Case) -> None:
    # Given both servers up, When the same health request goes to both, Then status and body agree
    check(paired, case)
