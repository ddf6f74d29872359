"""Refresh families in the system table on moto: items, conditional rotation, reuse and revocation."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from shared.auth.errors import (
    AuthStorageError,
    InvalidRefreshTokenError,
    RefreshTokenReusedError,
    StaleRefreshTokenError,
)
from shared.auth.refresh import RefreshSessionService, hash_token
from shared.auth.refresh_repository import DynamoRefreshFamilyRepository, get_refresh_family_repository
from shared.auth.settings import RefreshRules


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(moto_system_table: str, clock: Clock) -> RefreshSessionService:
    return RefreshSessionService(get_refresh_family_repository(moto_system_table), RefreshRules(), clock=clock)


def _scan(client: Any, table: str) -> list[dict[str, Any]]:
    return client.scan(TableName=table)["Items"]


def test_issue_writes_the_family_and_its_pointer_with_ttl(service: RefreshSessionService, dynamodb_client: Any,
                                                           moto_system_table: str, clock: Clock) -> None:
    issued = service.issue("rec1", "pbc_users", user_agent="UA", ip="203.0.113.1")
    family_id = issued.session.id

    items = {(i["pk"]["S"], i["sk"]["S"]): i for i in _scan(dynamodb_client, moto_system_table)}

    family = items[("rt#r#pbc_users#rec1", f"f#{family_id}")]
    pointer = items[(f"rt#f#{family_id}", "ptr")]
    expiry = str(int(clock.now) + RefreshRules().refresh_family_lifetime_s)
    assert family["ttl"]["N"] == expiry and pointer["ttl"]["N"] == expiry
    assert family["current_hash"]["S"] == hash_token(issued.token)
    assert family["revoked"]["BOOL"] is False
    assert issued.token.split(".")[1] not in json.dumps(list(items.values()))


def test_rotation_reuse_and_revocation_round_trip(service: RefreshSessionService, clock: Clock) -> None:
    first = service.issue("rec1", "pbc_users")
    second = service.rotate(first.token)
    third = service.rotate(second.token)
    clock.now += 60

    with pytest.raises(RefreshTokenReusedError):
        service.rotate(first.token)
    with pytest.raises(InvalidRefreshTokenError) as err:
        service.rotate(third.token)
    assert err.value.reason == "revoked"


def test_conditional_write_lets_only_one_rotation_win(moto_system_table: str, clock: Clock) -> None:
    # Given two Lambdas that both read the family's current token
    repo_a = DynamoRefreshFamilyRepository(moto_system_table)
    repo_b = DynamoRefreshFamilyRepository(moto_system_table)
    service = RefreshSessionService(repo_a, RefreshRules(), clock=clock)
    issued = service.issue("rec1", "pbc_users")
    family = repo_a.get(issued.session.id)
    assert family is not None
    now = int(clock.now)

    # When both write a rotation conditioned on that token
    repo_a.replace_token(family.model_copy(update={"current_hash": "a" * 64}), family.current_hash, now)

    # Then the second is refused
    with pytest.raises(StaleRefreshTokenError):
        repo_b.replace_token(family.model_copy(update={"current_hash": "b" * 64}), family.current_hash, now)
    latest = repo_b.get(issued.session.id)
    assert latest is not None and latest.current_hash == "a" * 64


def test_expired_family_cannot_rotate_even_before_ttl_sweeps_it(service: RefreshSessionService,
                                                                clock: Clock) -> None:
    issued = service.issue("rec1", "pbc_users")
    clock.now += RefreshRules().refresh_family_lifetime_s + 1

    with pytest.raises(InvalidRefreshTokenError) as err:
        service.rotate(issued.token)
    assert err.value.reason == "expired"


def test_sessions_of_a_record_are_one_query_and_revoke_all_ends_them(service: RefreshSessionService) -> None:
    tokens = [service.issue("rec1", "pbc_users", user_agent=f"ua{i}").token for i in range(3)]
    other = service.issue("rec2", "pbc_users")

    assert {s.user_agent for s in service.list_sessions("pbc_users", "rec1")} == {"ua0", "ua1", "ua2"}

    service.revoke("pbc_users", "rec1", tokens[0].split(".")[0])
    assert len(service.list_sessions("pbc_users", "rec1")) == 2
    assert service.revoke_all("pbc_users", "rec1") == 2
    assert service.list_sessions("pbc_users", "rec1") == []
    assert len(service.list_sessions("pbc_users", "rec2")) == 1
    for token in tokens:
        with pytest.raises(InvalidRefreshTokenError):
            service.rotate(token)
    assert service.rotate(other.token).token


def test_storage_failures_become_domain_errors(moto_aws: None, clock: Clock) -> None:
    service = RefreshSessionService(DynamoRefreshFamilyRepository("no-such-table"), RefreshRules(), clock=clock)

    with pytest.raises(AuthStorageError) as err:
        service.issue("rec1", "pbc_users")
    assert err.value.status == 500
    with pytest.raises(AuthStorageError):
        service.rotate("A" * 24 + "." + "B" * 43)
