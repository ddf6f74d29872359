"""The caller's address as PocketBase 0.40.6 reads it (RemoteIP, RealIP, isIPInList), and the superuserIPs check."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from shared.app_settings.model import TrustedProxySettings
from shared.auth.caller import SUPERUSER_IP_REFUSED, refuse_superuser_ip
from shared.errors import ForbiddenError
from shared.http.requests import is_ip_in_list, real_ip, remote_ip

REMOTE = "198.51.100.7"
XFF = TrustedProxySettings(headers=("X-Forwarded-For",))
LEFTMOST = TrustedProxySettings(headers=("X-Forwarded-For",), use_leftmost_ip=True)


def _headers(*pairs: tuple[str, str]) -> Headers:
    return Headers(raw=[(k.lower().encode(), v.encode()) for k, v in pairs])


def test_the_remote_ip_is_api_gateways_source_ip_expanded() -> None:
    # Given a request as Mangum hands it over from API Gateway, and one straight from a socket
    from_gateway = {"aws.event": {"requestContext": {"http": {"sourceIp": "2001:db8::1"}}}, "client": ("10.0.0.1", 1)}
    from_socket = {"client": ("127.0.0.1", 5000)}

    # When their remote addresses are read, Then sourceIp wins, written as Go's StringExpanded writes it
    assert remote_ip(from_gateway) == "2001:0db8:0000:0000:0000:0000:0000:0001"
    assert remote_ip(from_socket) == "127.0.0.1"


@pytest.mark.parametrize(("trusted", "pairs", "expected"), [
    # no trusted header: whatever the client writes, the remote address
    (TrustedProxySettings(), [("X-Forwarded-For", "203.0.113.5")], REMOTE),
    # rightmost by default: the address the trusted proxy saw, not what the client claimed before it
    (XFF, [("X-Forwarded-For", "203.0.113.5, 192.0.2.1")], "192.0.2.1"),
    (LEFTMOST, [("X-Forwarded-For", "203.0.113.5, 192.0.2.1")], "203.0.113.5"),
    # addresses that do not parse are skipped, in either direction
    (XFF, [("X-Forwarded-For", "203.0.113.5, bad")], "203.0.113.5"),
    (LEFTMOST, [("X-Forwarded-For", "bad, 192.0.2.1:80, 192.0.2.2")], "192.0.2.2"),
    # a header sent twice: its last value counts, as the one the proxy wrote
    (XFF, [("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "192.0.2.9,::1")],
     "0000:0000:0000:0000:0000:0000:0000:0001"),
    # the first trusted header with a valid address wins; an empty or invalid one falls through
    (TrustedProxySettings(headers=("X-Real-IP", "X-Forwarded-For")),
     [("X-Real-IP", "nonsense"), ("X-Forwarded-For", "2001:db8::1")], "2001:0db8:0000:0000:0000:0000:0000:0001"),
    (TrustedProxySettings(headers=("x-real-ip",)), [("X-Real-IP", " 192.0.2.3 ")], "192.0.2.3"),
    (TrustedProxySettings(headers=("X-Real-IP",)), [("X-Real-IP", "192.0.2.3:80")], REMOTE),
    (XFF, [("X-Forwarded-For", "")], REMOTE),
])
def test_the_real_ip_follows_only_the_trusted_headers(trusted: TrustedProxySettings, pairs: list[tuple[str, str]],
                                                      expected: str) -> None:
    # Given the trusted-proxy settings and the request's headers, When the real IP is read, Then PocketBase's
    assert real_ip(_headers(*pairs), REMOTE, trusted) == expected


@pytest.mark.parametrize(("allowed", "ip", "expected"), [
    (["10.0.0.0/8"], "10.1.2.3", True),
    (["10.0.0.0/8"], "11.0.0.1", False),
    (["192.0.2.1", "::1"], "0000:0000:0000:0000:0000:0000:0000:0001", True),  # compared as addresses
    (["10.0.0.1/8"], "10.9.9.9", True),  # host bits set, as Go's ParsePrefix allows
    (["::/0"], "10.0.0.1", False),  # an IPv6 subnet holds no IPv4 address
    (["10.0.0.1"], "", False),
    ([], "10.0.0.1", False),
])
def test_an_ip_is_in_the_list_as_pocketbase_compares_it(allowed: list[str], ip: str, expected: bool) -> None:
    assert is_ip_in_list(allowed, ip) is expected


def test_a_superuser_outside_the_list_gets_pocketbases_403() -> None:
    # Given superuserIPs set to one subnet
    allowed = ["10.0.0.0/8"]

    # When a superuser calls from inside and from outside, and a user from outside
    refuse_superuser_ip(True, "10.0.0.5", allowed)
    refuse_superuser_ip(False, "203.0.113.5", allowed)
    with pytest.raises(ForbiddenError) as refused:
        refuse_superuser_ip(True, "203.0.113.5", allowed)

    # Then only the superuser from outside is refused, with PocketBase's body
    assert refused.value.body() == {"status": 403, "message": SUPERUSER_IP_REFUSED, "data": {}}


def test_an_empty_list_refuses_no_one() -> None:
    # Given PocketBase's default (no superuserIPs), When a superuser calls from anywhere, Then nothing is raised
    refuse_superuser_ip(True, "203.0.113.5", [])
