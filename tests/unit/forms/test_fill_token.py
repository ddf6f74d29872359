"""Fill tokens of forms: issued for one form, checked for age both ways, under the auth keyring's keys."""

from __future__ import annotations

import pytest

from shared.auth.keyring import Keyring
from shared.forms.fill_token import FillTokenError, FillTokens

KEY_A = "a" * 40
KEY_B = "b" * 40


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def tokens(clock: Clock, active: str = "a", **keys: str) -> FillTokens:
    return FillTokens(Keyring.model_validate({"active": active, "keys": keys or {"a": KEY_A}}), clock)


def test_a_token_passes_between_the_minimum_fill_time_and_its_maximum_age() -> None:
    # Given a token issued now
    clock = Clock()
    service = tokens(clock)
    token = service.issue("form1")
    # When it comes back 3 s later for a 2 s minimum, Then it passes
    clock.now += 3
    service.check(token, "form1", min_fill_s=2, max_age_s=60)
    # When it comes back past its maximum age, Then it is expired
    clock.now += 60
    with pytest.raises(FillTokenError, match="expired"):
        service.check(token, "form1", min_fill_s=2, max_age_s=60)


@pytest.mark.parametrize(("shift", "reason"), [(1, "too fast"), (-60, "from the future")])
def test_a_token_too_young_or_from_the_future_is_refused(shift: float, reason: str) -> None:
    # Given a token issued now, When it is checked `shift` seconds later with a 2 s minimum
    clock = Clock()
    service = tokens(clock)
    token = service.issue("form1")
    clock.now += shift
    # Then it is refused for that reason
    with pytest.raises(FillTokenError, match=reason):
        service.check(token, "form1", min_fill_s=2, max_age_s=60)


def test_a_token_is_bound_to_its_form_and_its_key() -> None:
    # Given a token of form1 signed with key a
    clock = Clock()
    token = tokens(clock).issue("form1")
    # Then it is refused for another form, by a keyring without key a, and when its time is changed
    with pytest.raises(FillTokenError, match="another form"):
        tokens(clock).check(token, "form2", min_fill_s=0, max_age_s=60)
    with pytest.raises(FillTokenError, match="forged"):
        tokens(clock, active="b", b=KEY_B).check(token, "form1", min_fill_s=0, max_age_s=60)
    version, kid, form, issued, signature = token.split(".")
    with pytest.raises(FillTokenError, match="forged"):
        tokens(clock).check(f"{version}.{kid}.{form}.{int(issued) - 5000}.{signature}", "form1", min_fill_s=0,
                            max_age_s=60)


def test_a_rotated_keyring_still_verifies_tokens_of_the_old_active_key() -> None:
    # Given a token signed with key a, When b becomes active and a stays in the keyring
    clock = Clock()
    token = tokens(clock).issue("form1")
    # Then the token still verifies
    tokens(clock, active="b", a=KEY_A, b=KEY_B).check(token, "form1", min_fill_s=0, max_age_s=60)


@pytest.mark.parametrize("token", [None, "", 42, "v1.a.form1", "v2.a.form1.1.sig", "v1.a.form1.x.sig"])
def test_a_missing_or_malformed_token_is_refused(token: object) -> None:
    with pytest.raises(FillTokenError):
        tokens(Clock()).check(token, "form1", min_fill_s=0, max_age_s=60)
