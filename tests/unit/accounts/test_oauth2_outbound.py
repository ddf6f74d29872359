"""The OAuth2 provider calls: only public addresses, http(s) only, and errors that name no query string."""

from __future__ import annotations

import pytest

from shared.accounts.oauth2.outbound import Outbound, OutboundError


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/token",  # loopback, while the deployment does not allow it
    "http://10.0.0.8/token",  # private
    "http://169.254.169.254/latest/meta-data/",  # the instance metadata service
    "http://[::1]/token",
    "http://[::ffff:10.0.0.1]/token",  # a private IPv4 inside IPv6
])
def test_private_targets_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(OutboundError, match="Refused"):
        Outbound(timeout_s=1, allow_loopback=False).get_json(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x", "/relative"])
def test_only_http_urls_are_called(url: str) -> None:
    with pytest.raises(OutboundError, match="Unsupported"):
        Outbound(timeout_s=1, allow_loopback=True).post_form(url, {})


def test_loopback_when_allowed_is_still_no_private_network() -> None:
    with pytest.raises(OutboundError, match="Refused"):
        Outbound(timeout_s=1, allow_loopback=True).get_json("http://192.168.1.1/token")


def test_a_failed_call_names_no_query_string() -> None:
    # port 9 (discard) on loopback: nothing listens, so the call fails; the message must not carry the query
    with pytest.raises(OutboundError) as raised:
        Outbound(timeout_s=1, allow_loopback=True).get_json("http://127.0.0.1:9/userinfo?access_token=secret")
    assert "secret" not in str(raised.value)
