"""Fixtures for the auth unit tests: a controllable clock and a test keyring (no network, no AWS)."""

from __future__ import annotations

import pytest

from shared.auth.keyring import Keyring, parse_keyring

SECRET_1 = "unit-test-secret-one-0123456789abcdef"
SECRET_2 = "unit-test-secret-two-0123456789abcdef"


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def keyring() -> Keyring:
    return parse_keyring(SECRET_1)
