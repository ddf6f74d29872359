"""The rate limits test stacks run with: PocketBase's rules, raised so that suites hammering one address pass.

The local stack applies rate limits as the cloud does, loopback included. A suite that sends thousands of
requests from one address raises its limits by configuration, as an operator would, rather than being
exempted: the limiter still counts and syncs every request. A test that watches limits sets its own
LB_RATE_LIMITS (tests/support/sign_in.py), which wins over these.
"""

from __future__ import annotations

import json

SUITE_RULES = [
    {"label": "*:auth", "maxRequests": 10_000, "duration": 3},
    {"label": "*:create", "maxRequests": 10_000, "duration": 5},
    {"label": "/api/batch", "maxRequests": 10_000, "duration": 1},
    {"label": "/api/", "maxRequests": 100_000, "duration": 10},
]
SUITE_RATE_LIMITS_ENV = {"LB_RATE_LIMITS": json.dumps(SUITE_RULES)}
