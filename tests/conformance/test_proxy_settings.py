"""Conformance of `trustedProxy` and `superuserIPs` acted on: the client IP and the superuser refusals.

Both sides are configured the same way through PATCH /api/settings, then get the same requests; each side's
own settings are restored afterwards. Both servers see the suite's requests from 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, SUPERUSER, PairedClient
from tests.conformance.scenario import Case, cases, check, exchange
from tests.conformance.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

TRUSTED = {"trustedProxy": {"headers": ["X-Real-IP", "X-Forwarded-For"], "useLeftmostIP": False}}
LEFTMOST = {"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": True}}
WHITELIST = {"trustedProxy": {"headers": ["X-Real-IP"], "useLeftmostIP": False}, "superuserIPs": ["10.0.0.0/8"]}
INSIDE = {"X-Real-IP": "10.1.2.3"}  # lets the restore through on both sides, whatever is configured
PASSWORD = {"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}


def configured(paired: PairedClient, body: dict[str, Any]) -> Iterator[None]:
    """Apply `body` to both sides' settings for a class of cases, then put each side's own settings back."""
    before = {}
    for side in paired.sides.values():
        auth = {"Authorization": side.tokens[SUPERUSER], **INSIDE}
        before[side.name] = side.http.get("/api/settings", headers=auth).json()
        response = side.http.patch("/api/settings", headers=auth, json=body)
        assert response.status_code == 200, f"{side.name}: {response.text}"
    yield
    for side in paired.sides.values():
        restore = {key: before[side.name][key] for key in ("trustedProxy", "superuserIPs")}
        response = side.http.patch("/api/settings", headers={"Authorization": side.tokens[SUPERUSER], **INSIDE},
                                   json=restore)
        assert response.status_code == 200, f"{side.name}: {response.text}"


TRUSTED_CASES = cases(
    Case("trusted header gives the real ip", "GET", "/api/health", headers={"X-Real-IP": "203.0.113.7"}),
    Case("trusted ipv6 is expanded", "GET", "/api/health", headers={"X-Real-IP": "2001:db8::7"}),
    Case("invalid trusted header falls through", "GET", "/api/health", headers={"X-Real-IP": "nonsense"}),
    Case("trusted header with a port is no address", "GET", "/api/health", headers={"X-Real-IP": "203.0.113.7:80"}),
    Case("no proxy header at all", "GET", "/api/health"),
    Case("common header after the trusted ones", "GET", "/api/health", headers={"Fly-Client-IP": "203.0.113.8"}),
    Case("user learns nothing", "GET", "/api/health", role="alice", headers={"X-Real-IP": "203.0.113.7"}),
)

LEFTMOST_CASES = cases(
    Case("leftmost address of the list", "GET", "/api/health", headers={"X-Forwarded-For": "203.0.113.5"}),
    Case("leftmost skips what does not parse", "GET", "/api/health",
         headers={"X-Forwarded-For": "unknown, 203.0.113.6"}),
)

WHITELIST_CASES = cases(
    Case("superuser from outside: health", "GET", "/api/health"),
    Case("superuser from outside: settings", "GET", "/api/settings"),
    Case("superuser from outside: collections", "GET", "/api/collections"),
    Case("superuser from outside: public records", "GET", "/api/collections/users/records",
         params={"fields": "id"}),
    Case("superuser with an untrusted header", "GET", "/api/health", headers={"X-Forwarded-For": "10.1.2.3"}),
    Case("superuser from inside", "GET", "/api/health", headers=INSIDE),
    Case("superuser sign-in from outside", "POST", "/api/collections/_superusers/auth-with-password", role=GUEST,
         body=PASSWORD),
    Case("superuser wrong password from outside", "POST", "/api/collections/_superusers/auth-with-password",
         role=GUEST, body={**PASSWORD, "password": "not-the-password"}),
    Case("user from outside", "GET", "/api/health", role="alice"),
    Case("guest from outside", "GET", "/api/health", role=GUEST),
)


@pytest.fixture(scope="class")
def trusted_settings(paired: PairedClient) -> Iterator[None]:
    yield from configured(paired, TRUSTED)


@pytest.mark.usefixtures("trusted_settings")
class TestTrustedHeaders:
    @pytest.mark.parametrize("case", TRUSTED_CASES)
    def test_trusted_headers(self, paired: PairedClient, case: Case) -> None:
        # Given X-Real-IP then X-Forwarded-For trusted, When the same request goes to both, Then both agree
        check(paired, case)

    def test_a_client_written_rightmost_hop_is_the_gateways_own(self, paired: PairedClient) -> None:
        # Given X-Forwarded-For trusted (rightmost), When a client writes its own X-Forwarded-For
        pair = exchange(paired, Case("client x-forwarded-for", "GET", "/api/health",
                                     headers={"X-Forwarded-For": "203.0.113.5"}))

        # Then PocketBase, reached directly, takes the client's word; Lambdabase takes the hop its gateway
        # appended (API Gateway's sourceIp), as PocketBase behind any appending proxy does (compatibility.md)
        assert pair.pb.json()["data"]["realIP"] == "203.0.113.5"
        assert pair.lb.json()["data"]["realIP"] == deliberate.GATEWAY_HOP_IP


@pytest.fixture(scope="class")
def leftmost_settings(paired: PairedClient) -> Iterator[None]:
    yield from configured(paired, LEFTMOST)


@pytest.mark.usefixtures("leftmost_settings")
class TestLeftmost:
    @pytest.mark.parametrize("case", LEFTMOST_CASES)
    def test_leftmost(self, paired: PairedClient, case: Case) -> None:
        # Given X-Forwarded-For trusted, leftmost, When the same request goes to both, Then both agree
        check(paired, case)


@pytest.fixture(scope="class")
def whitelist_settings(paired: PairedClient) -> Iterator[None]:
    yield from configured(paired, WHITELIST)


@pytest.mark.usefixtures("whitelist_settings")
class TestSuperuserIPs:
    @pytest.mark.parametrize("case", WHITELIST_CASES)
    def test_superuser_ips(self, paired: PairedClient, case: Case) -> None:
        # Given superuserIPs 10.0.0.0/8 read from a trusted X-Real-IP, When the same request goes to both,
        # Then both refuse or answer alike
        check(paired, case)
