"""Password policy (ASVS 5.0 V6.2) and zxcvbn strength feedback."""

from __future__ import annotations

import pytest

from shared.auth.passwords import PasswordPolicy, common_passwords, strength
from shared.auth.settings import PasswordRules
from shared.errors import BadRequestError


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy(PasswordRules())


def _code(policy: PasswordPolicy, password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    errors = policy.errors(password, user_inputs)
    return errors["password"]["code"] if errors else None


@pytest.mark.parametrize(("password", "code"), [
    ("", "validation_required"),
    ("k9#Lm2q", "validation_min_text_constraint"),
    ("k9#Lm2qZ", None),
    ("x7" * 32, None),  # 64 characters must be accepted (6.2.9)
    ("correct horse battery staple " * 4 + "zebra12", None),  # 123 characters
    ("q" * 128 + "z", "validation_max_text_constraint"),
])
def test_length_bounds(policy: PasswordPolicy, password: str, code: str | None) -> None:
    assert _code(policy, password) == code


@pytest.mark.parametrize("password", [
    "correct horse battery staple",  # lowercase letters and spaces only
    "9183746501928374",  # digits only
    "pässwörd-ñandú-狐狸🦊",  # any Unicode
    "  leading and trailing spaces  ",  # not trimmed
])
def test_no_composition_rules(policy: PasswordPolicy, password: str) -> None:
    assert policy.errors(password) == {}


@pytest.mark.parametrize("password", ["password", "PASSWORD", "12345678", "iloveyou", "Sunshine", "trustno1"])
def test_common_passwords_are_rejected_case_insensitively(policy: PasswordPolicy, password: str) -> None:
    assert _code(policy, password) == "validation_password_too_common"


def test_blocklist_holds_the_top_passwords_that_fit_the_length_rule() -> None:
    top = common_passwords(8, 3000)

    assert len(top) == 3000
    assert all(len(p) >= 8 for p in top)
    assert "password" in top and "123456" not in top


def test_context_words_and_the_users_own_details_are_rejected(policy: PasswordPolicy) -> None:
    assert _code(policy, "Lambdabase2025!") == "validation_password_too_guessable"
    assert _code(policy, "alice.smith99", ("alice.smith@example.com",)) == "validation_password_too_guessable"
    assert _code(policy, "alice.smith99", ("bob@example.com",)) is None


def test_validate_raises_pocketbase_validation_error() -> None:
    policy = PasswordPolicy(PasswordRules(password_min_length=12))

    with pytest.raises(BadRequestError) as err:
        policy.validate("short-pass1", field="newPassword")

    body = err.value.body()
    assert body["status"] == 400
    assert body["data"] == {"newPassword": {"code": "validation_min_text_constraint",
                                            "message": "Must be at least 12 character(s)."}}


def test_policy_settings_come_from_lb_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_PASSWORD_MIN_LENGTH", "15")
    monkeypatch.setenv("LB_PASSWORD_CONTEXT_WORDS", '["acme"]')

    rules = PasswordRules()

    assert rules.password_min_length == 15
    assert _code(PasswordPolicy(rules), "acme-acme-acme!") is None
    assert _code(PasswordPolicy(rules), "acme") == "validation_min_text_constraint"
    assert _code(PasswordPolicy(rules), "ACME1234567890123") == "validation_password_too_guessable"


def test_minimum_below_eight_is_refused() -> None:
    with pytest.raises(ValueError):
        PasswordRules(password_min_length=6)


def test_strength_reports_score_and_feedback() -> None:
    weak = strength("password")
    strong = strength("correct horse battery staple zebra")
    personal = strength("alicesmith1990", ["alicesmith"])

    assert weak.score == 0 and weak.feedback.warning
    assert strong.score == 4
    assert set(strong.crack_times_display) >= {"online_throttling_100_per_hour",
                                               "offline_slow_hashing_1e4_per_second"}
    assert personal.score <= 2
    assert strength("y" * 300).score >= 0  # long input is capped, not an error
