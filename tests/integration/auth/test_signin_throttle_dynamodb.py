"""Sign-in throttling on moto: atomic counters shared by many Lambdas, TTLs, reset and clear."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth.errors import AuthStorageError
from shared.auth.settings import ThrottleRules
from shared.auth.throttle import SignInThrottle, account_key, ip_key
from shared.auth.throttle_repository import DynamoSignInThrottleRepository

START = 1_750_000_000 - 1_750_000_000 % 3600  # start of an hour


class Clock:
    def __init__(self) -> None:
        self.now = float(START)

    def __call__(self) -> float:
        return self.now


def _lambdas(table: str, clock: Clock, count: int = 2) -> list[SignInThrottle]:
    """Several independent throttles, as several Lambda instances would hold."""
    return [SignInThrottle(DynamoSignInThrottleRepository(table), ThrottleRules(), clock=clock)
            for _ in range(count)]


def test_failures_from_many_lambdas_add_up(moto_system_table: str) -> None:
    clock = Clock()
    first, second = _lambdas(moto_system_table, clock)

    for i in range(6):
        (first if i % 2 else second).record_failure("pbc_users", "alice@example.com", "203.0.113.5")

    decision = first.check("pbc_users", "alice@example.com")
    assert not decision.allowed and decision.reason == "account_delay" and decision.retry_after_s == 2
    counters = DynamoSignInThrottleRepository(moto_system_table).read(account_key("pbc_users", "alice@example.com"))
    assert counters.consecutive == 6 and counters.hourly == {START: 6}
    assert DynamoSignInThrottleRepository(moto_system_table).read(ip_key("203.0.113.5")).hourly == {START: 6}


def test_counter_items_carry_ttl(moto_system_table: str, dynamodb_client: Any) -> None:
    clock = Clock()
    (throttle,) = _lambdas(moto_system_table, clock, 1)

    throttle.record_failure("pbc_users", "bob@example.com", "198.51.100.7")

    items = {(i["pk"]["S"], i["sk"]["S"]): i for i in dynamodb_client.scan(TableName=moto_system_table)["Items"]}
    key = account_key("pbc_users", "bob@example.com")
    assert items[(key, f"h#{START}")]["ttl"]["N"] == str(START + 7200)
    assert items[(key, "state")]["ttl"]["N"] == str(START + ThrottleRules().throttle_failure_memory_s)
    assert (ip_key("198.51.100.7"), "state") not in items  # IPs have no delay state
    assert all("bob" not in pk for pk, _ in items)


def test_success_resets_the_delay_and_clear_forgets_everything(moto_system_table: str) -> None:
    clock = Clock()
    (throttle,) = _lambdas(moto_system_table, clock, 1)
    repo = DynamoSignInThrottleRepository(moto_system_table)
    key = account_key("pbc_users", "carol@example.com")
    for _ in range(7):
        throttle.record_failure("pbc_users", "carol@example.com")

    throttle.record_success("pbc_users", "Carol@Example.com")
    assert throttle.check("pbc_users", "carol@example.com").allowed
    assert repo.read(key).hourly == {START: 7}

    throttle.clear("pbc_users", "carol@example.com")
    assert repo.read(key).hourly == {}


def test_storage_failures_become_domain_errors(moto_aws: None) -> None:
    throttle = SignInThrottle(DynamoSignInThrottleRepository("no-such-table"), ThrottleRules(), clock=Clock())

    with pytest.raises(AuthStorageError):
        throttle.check("pbc_users", "alice@example.com")
    with pytest.raises(AuthStorageError):
        throttle.record_failure("pbc_users", "alice@example.com")


def test_an_attempt_counted_on_a_stale_decision_writes_nothing(moto_system_table: str) -> None:
    # Given an account whose delay state another Lambda moved on after this one read it
    repo = DynamoSignInThrottleRepository(moto_system_table)
    account, ip = account_key("pbc_users", "dave@example.com"), ip_key("198.51.100.9")
    assert repo.reserve(account, ip, START, expected_consecutive=0, ip_cap=500, state_ttl=86_400)

    # When this one counts on the count it decided on (0)
    counted = repo.reserve(account, ip, START, expected_consecutive=0, ip_cap=500, state_ttl=86_400)

    # Then the conditional write refuses, and neither the account nor the IP was counted twice
    assert not counted
    assert repo.read(account).consecutive == 1 and repo.read(account).hourly == {START: 1}
    assert repo.read(ip).hourly == {START: 1}


def test_an_ip_at_its_cap_is_not_counted(moto_system_table: str) -> None:
    repo = DynamoSignInThrottleRepository(moto_system_table)
    ip = ip_key("198.51.100.10")
    assert repo.reserve(account_key("pbc_users", "a@example.com"), ip, START, expected_consecutive=0, ip_cap=1,
                        state_ttl=86_400)

    assert not repo.reserve(account_key("pbc_users", "b@example.com"), ip, START, expected_consecutive=0,
                            ip_cap=1, state_ttl=86_400)
    assert repo.read(account_key("pbc_users", "b@example.com")).consecutive == 0

