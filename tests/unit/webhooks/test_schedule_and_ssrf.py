"""The retry schedule (jitter, Retry-After), verdicts by status, and the SSRF checks after DNS resolution."""

from __future__ import annotations

import random

import pytest

from shared.webhooks.schedule import next_delay, retry_after_seconds, verdict
from shared.webhooks.ssrf import TargetRefusedError, address_refusal, pinned_address
from shared.webhooks.transport import HttpOutcome, post

SVIX = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


def test_the_schedule_waits_as_svix_then_gives_up() -> None:
    # When each attempt fails in turn, without jitter
    delays = [next_delay(SVIX, attempt, jitter=0) for attempt in range(1, 9)]
    # Then the waits are 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, and after the 8th attempt there is none
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000, None]


def test_jitter_stays_within_its_fraction() -> None:
    rng = random.Random(7)
    delays = [next_delay(SVIX, 2, jitter=0.1, rng=rng) for _ in range(200)]
    assert all(270 <= d <= 330 for d in delays if d is not None) and len(set(delays)) > 100


def test_retry_after_is_honoured_when_longer_than_the_schedule() -> None:
    assert next_delay(SVIX, 1, jitter=0, retry_after=retry_after_seconds("120", 0)) == 120
    assert next_delay(SVIX, 2, jitter=0, retry_after=retry_after_seconds("2", 0)) == 300
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10
    assert retry_after_seconds("soon", 0) is None


@pytest.mark.parametrize(("outcome", "expected"), [
    (HttpOutcome(status=200), "delivered"),
    (HttpOutcome(status=204), "delivered"),
    (HttpOutcome(status=410), "disable"),
    (HttpOutcome(status=429), "retry"),
    (HttpOutcome(status=503), "retry"),
    (HttpOutcome(status=None, error="timeout"), "retry"),
    (HttpOutcome(status=None, error="connection"), "retry"),
    (HttpOutcome(status=400), "dead"),
    (HttpOutcome(status=302, error="redirect"), "dead"),
    (HttpOutcome(status=None, error="refused"), "dead"),
])
def test_each_outcome_has_its_verdict(outcome: HttpOutcome, expected: str) -> None:
    assert verdict(outcome) == expected


@pytest.mark.parametrize("address", ["10.0.0.1", "172.16.3.4", "192.168.1.1", "169.254.169.254", "fd00:ec2::254",
                                     "fe80::1", "100.64.0.1", "0.0.0.0", "::ffff:10.0.0.1", "224.0.0.1", "::1"])
def test_private_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert address_refusal(address, allow_loopback=False) is not None


def test_metadata_stays_refused_when_loopback_is_allowed() -> None:
    assert address_refusal("169.254.169.254", allow_loopback=True) is not None
    assert address_refusal("10.0.0.1", allow_loopback=True) is not None
    assert address_refusal("127.0.0.1", allow_loopback=True) is None


def test_a_public_address_is_allowed() -> None:
    assert address_refusal("93.184.216.34", allow_loopback=False) is None


def test_a_hostname_resolving_to_loopback_is_refused_after_resolution() -> None:
    # Given a name whose DNS answer is 127.0.0.1
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "innocent.example" else []

    # Then it is refused while loopback is not allowed, and pinned to that address when it is
    with pytest.raises(TargetRefusedError):
        pinned_address("innocent.example", 443, allow_loopback=False, resolve=resolve)
    assert pinned_address("innocent.example", 443, allow_loopback=True, resolve=resolve) == "127.0.0.1"


def test_a_name_mixing_public_and_private_answers_is_refused() -> None:
    with pytest.raises(TargetRefusedError):
        pinned_address("mixed.example", 80, allow_loopback=False, resolve=lambda h, p: ["93.184.216.34", "10.0.0.1"])


@pytest.mark.parametrize("url", ["http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
                                 "http://[fd00:ec2::254]/", "http://innocent.example/hook"])
def test_a_post_to_a_refused_target_sends_nothing(url: str) -> None:
    # When a delivery is attempted to a private address, directly or by name
    outcome = post(url, b"{}", {}, timeout_s=1, allow_loopback=False, resolve=lambda h, p: ["127.0.0.1"])
    # Then it is refused before any connection, a verdict that is not retried
    assert outcome.status is None and outcome.error == "refused"
    assert verdict(outcome) == "dead"


def test_localhost_resolved_by_the_system_is_refused_while_loopback_is_not_allowed() -> None:
    with pytest.raises(TargetRefusedError):
        pinned_address("localhost", 80, allow_loopback=False)
