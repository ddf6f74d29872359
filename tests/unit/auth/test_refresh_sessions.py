"""Rotating refresh tokens: hashing, rotation, reuse detection, races, expiry and session management."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from shared.auth.errors import InvalidRefreshTokenError, RefreshTokenReusedError
from shared.auth.refresh import RefreshSessionService, hash_token
from shared.auth.refresh_models import RefreshFamily
from shared.auth.refresh_repository import InMemoryRefreshFamilyRepository
from shared.auth.settings import RefreshRules
from shared.errors import NotFoundError

DAY = 86_400


def _service(repo: InMemoryRefreshFamilyRepository, clock: Any, **rules: int) -> RefreshSessionService:
    return RefreshSessionService(repo, RefreshRules(**rules), clock=clock)


@pytest.fixture
def repo() -> InMemoryRefreshFamilyRepository:
    return InMemoryRefreshFamilyRepository()


@pytest.fixture
def service(repo: InMemoryRefreshFamilyRepository, clock: Any) -> RefreshSessionService:
    return _service(repo, clock)


def _family_id(token: str) -> str:
    return token.split(".", 1)[0]


def test_issue_stores_only_the_hash(service: RefreshSessionService, repo: InMemoryRefreshFamilyRepository,
                                    clock: Any) -> None:
    issued = service.issue("rec1", "pbc_users", user_agent="UA/1", ip="203.0.113.7")

    family = repo.get(_family_id(issued.token))
    assert family is not None
    assert family.current_hash == hash_token(issued.token)
    assert issued.token not in family.model_dump_json()
    assert issued.token.split(".")[1] not in family.model_dump_json()
    assert family.expires_at == int(clock.now) + 30 * DAY
    assert (issued.session.user_agent, issued.session.ip) == ("UA/1", "203.0.113.7")


def test_rotation_returns_a_new_token_and_keeps_the_absolute_expiry(service: RefreshSessionService,
                                                                    clock: Any) -> None:
    first = service.issue("rec1", "pbc_users")
    clock.advance(3600)

    second = service.rotate(first.token, ip="198.51.100.1")

    assert second.token != first.token
    assert _family_id(second.token) == _family_id(first.token)
    assert second.session.expires_at == first.session.expires_at  # rotation never extends the family
    assert second.session.last_used == int(clock.now)
    assert second.session.ip == "198.51.100.1"
    assert service.rotate(second.token).token  # the new token works in turn


def test_reusing_a_rotated_token_revokes_the_whole_family(service: RefreshSessionService,
                                                          repo: InMemoryRefreshFamilyRepository,
                                                          clock: Any) -> None:
    # Given a family whose first token was rotated a minute ago (e.g. stolen and used by the attacker)
    first = service.issue("rec1", "pbc_users")
    second = service.rotate(first.token)
    clock.advance(60)

    # When the old token is presented again
    with pytest.raises(RefreshTokenReusedError) as err:
        service.rotate(first.token)

    # Then the family is revoked, so the current token is dead as well
    assert err.value.status == 401
    family = repo.get(_family_id(first.token))
    assert family is not None and family.revoked and family.revoked_at == int(clock.now)
    with pytest.raises(InvalidRefreshTokenError) as err2:
        service.rotate(second.token)
    assert err2.value.reason == "revoked"


def test_the_just_rotated_token_within_the_grace_window_is_refused_without_revoking(
        service: RefreshSessionService, repo: InMemoryRefreshFamilyRepository, clock: Any) -> None:
    first = service.issue("rec1", "pbc_users")
    second = service.rotate(first.token)
    clock.advance(2)

    with pytest.raises(InvalidRefreshTokenError) as err:
        service.rotate(first.token)

    assert err.value.reason == "concurrent_rotation"
    assert not isinstance(err.value, RefreshTokenReusedError)
    assert service.rotate(second.token).token


class _RacingRepository(InMemoryRefreshFamilyRepository):
    """Lets two rotations read the family before either writes, to force the race."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier: threading.Barrier | None = None
        self._waiting = threading.local()

    def get(self, family_id: str) -> RefreshFamily | None:
        family = super().get(family_id)
        # Only each thread's first read waits; the loser's re-read after losing must not block.
        if self.barrier is not None and not getattr(self._waiting, "done", False):
            self._waiting.done = True
            self.barrier.wait(timeout=5)
        return family


@pytest.mark.parametrize("grace", [5, 0])
def test_concurrent_rotations_of_one_token_have_exactly_one_winner(clock: Any, grace: int) -> None:
    # Given one token and two requests that both read the family before either rotates it
    repo = _RacingRepository()
    service = _service(repo, clock, refresh_reuse_grace_s=grace)
    issued = service.issue("rec1", "pbc_users")
    repo.barrier = threading.Barrier(2)
    results: list[Any] = []

    def attempt() -> None:
        try:
            results.append(service.rotate(issued.token))
        except InvalidRefreshTokenError as exc:
            results.append(exc)

    # When both rotate at once
    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    repo.barrier = None

    # Then exactly one gets a new token
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    family = repo.get(_family_id(issued.token))
    assert family is not None and family.current_hash == hash_token(winners[0].token)
    # and the loser is either told it lost the race (grace) or, with no grace, the family ends as a reuse
    assert family.revoked is (grace == 0)


def test_a_family_fails_after_its_absolute_lifetime(repo: InMemoryRefreshFamilyRepository, clock: Any) -> None:
    service = _service(repo, clock, refresh_family_lifetime_s=7 * DAY)
    token = service.issue("rec1", "pbc_users").token
    for _ in range(6):  # rotating daily keeps working...
        clock.advance(DAY)
        token = service.rotate(token).token

    clock.advance(DAY)  # ...but not past 7 days from sign-in

    with pytest.raises(InvalidRefreshTokenError) as err:
        service.rotate(token)
    assert err.value.reason == "expired"


@pytest.mark.parametrize("presented", ["", "nodot", "a.b", "x" * 20 + "." + "y" * 10, "a b.c", "x" * 300])
def test_malformed_tokens_are_refused(service: RefreshSessionService, presented: str) -> None:
    with pytest.raises(InvalidRefreshTokenError) as err:
        service.rotate(presented)
    assert err.value.reason == "malformed"


def test_unknown_family_and_forged_suffix_are_refused_without_revoking(
        service: RefreshSessionService, repo: InMemoryRefreshFamilyRepository) -> None:
    issued = service.issue("rec1", "pbc_users")
    family_id = _family_id(issued.token)

    with pytest.raises(InvalidRefreshTokenError) as unknown:
        service.rotate("Z" * 24 + "." + "A" * 43)
    # Knowing a family id is not enough to sign its owner out
    with pytest.raises(InvalidRefreshTokenError) as forged:
        service.rotate(family_id + "." + "A" * 43)

    assert unknown.value.reason == "unknown_family"
    assert forged.value.reason == "unknown_token"
    family = repo.get(family_id)
    assert family is not None and not family.revoked


def test_reuse_history_is_bounded(repo: InMemoryRefreshFamilyRepository, clock: Any) -> None:
    service = _service(repo, clock, refresh_reuse_history=3)
    token = service.issue("rec1", "pbc_users").token
    for _ in range(10):
        token = service.rotate(token).token

    family = repo.get(_family_id(token))
    assert family is not None and len(family.previous_hashes) == 3


def test_sessions_can_be_listed_and_revoked(service: RefreshSessionService, clock: Any) -> None:
    # Given two sessions of one user and one of another
    phone = service.issue("rec1", "pbc_users", user_agent="phone")
    clock.advance(10)
    laptop = service.issue("rec1", "pbc_users", user_agent="laptop")
    other = service.issue("rec2", "pbc_users")

    # Then the user's list holds only theirs, most recently used first
    sessions = service.list_sessions("pbc_users", "rec1")
    assert [s.user_agent for s in sessions] == ["laptop", "phone"]
    assert "current_hash" not in sessions[0].model_dump()
    assert set(sessions[0].model_dump(by_alias=True)) >= {"recordId", "lastUsed", "expiresAt", "userAgent"}

    # When one is revoked it disappears and its token stops working
    service.revoke("pbc_users", "rec1", phone.session.id)
    assert [s.id for s in service.list_sessions("pbc_users", "rec1")] == [laptop.session.id]
    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(phone.token)

    # And nobody can revoke a session of another record through their own
    with pytest.raises(NotFoundError):
        service.revoke("pbc_users", "rec1", other.session.id)


def test_revoke_all_signs_every_session_out(service: RefreshSessionService) -> None:
    tokens = [service.issue("rec1", "pbc_users").token for _ in range(3)]
    keep = service.issue("rec2", "pbc_users").token

    assert service.revoke_all("pbc_users", "rec1") == 3

    for token in tokens:
        with pytest.raises(InvalidRefreshTokenError):
            service.rotate(token)
    assert service.list_sessions("pbc_users", "rec1") == []
    assert service.rotate(keep).token
