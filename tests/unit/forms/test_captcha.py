"""The captcha verifiers against a fake siteverify on loopback: what they send, and that they fail closed."""

from __future__ import annotations

import socket

from shared.forms.captcha import hcaptcha, turnstile
from tests.support.fake_siteverify import FakeSiteverify


def test_turnstile_sends_the_documented_fields_and_passes_only_on_success() -> None:
    # Given a fake siteverify that accepts one response
    with FakeSiteverify("s3cret") as fake:
        fake.good_responses.add("ok-1")
        verifier = turnstile("s3cret", fake.url)
        # When the verifier checks it twice, then an unknown one
        outcomes = [verifier.verify("ok-1", "203.0.113.9"), verifier.verify("ok-1", "203.0.113.9"),
                    verifier.verify("nope", "")]
    # Then only the first passes, and the provider got secret, response and remoteip, form-encoded
    assert outcomes == [True, False, False]
    assert fake.received[0] == {"secret": "s3cret", "response": "ok-1", "remoteip": "203.0.113.9"}
    assert "remoteip" not in fake.received[2]


def test_hcaptcha_also_sends_the_site_key() -> None:
    with FakeSiteverify("s3cret") as fake:
        fake.good_responses.add("ok-2")
        assert hcaptcha("s3cret", "site-1", fake.url).verify("ok-2", "198.51.100.1")
    assert fake.received[0]["sitekey"] == "site-1"


def test_a_wrong_secret_an_empty_response_or_an_unreachable_provider_refuse() -> None:
    # Given a provider that knows another secret, and an address where nothing listens
    with FakeSiteverify("s3cret") as fake:
        fake.good_responses.add("ok-3")
        assert not turnstile("other", fake.url).verify("ok-3", "")
        assert not turnstile("s3cret", fake.url).verify("", "")
        assert not turnstile("", fake.url).verify("ok-3", "")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/siteverify"
    # Then every one refuses: fail closed
    assert not turnstile("s3cret", closed).verify("ok-3", "")

