"""Account building blocks without AWS: auth-methods shape, the policy hook, the resend guard, sessions JSON."""

from __future__ import annotations

import pytest

from shared.accounts.auth_methods import auth_methods
from shared.accounts.impersonation import _duration
from shared.accounts.mail_guard import InMemoryMailResendGuard
from shared.accounts.password_policy import new_password_errors, strength_report
from shared.accounts.sessions import session_json
from shared.auth.refresh_models import RefreshSession
from shared.catalog.layout import plan_layout
from shared.catalog.repository import StoredCollection
from shared.collections.system import users_collection
from shared.errors import BadRequestError


def _users() -> StoredCollection:
    collection = users_collection()
    return StoredCollection(collection=collection, layout=plan_layout(collection, None, has_records=False))


def test_auth_methods_follow_pocketbase_including_legacy_fields() -> None:
    stored = _users()
    stored.collection.password_auth.identity_fields = ["email", "username"]
    stored.collection.otp.enabled = True

    methods = auth_methods(stored)

    assert list(methods) == ["password", "oauth2", "mfa", "otp", "authProviders", "usernamePassword",
                             "emailPassword"]
    assert methods["otp"] == {"enabled": True, "duration": 180}
    assert methods["mfa"] == {"enabled": False, "duration": 0}
    assert methods["usernamePassword"] is True and methods["emailPassword"] is True
    stored.collection.password_auth.enabled = False
    assert auth_methods(stored)["password"] == {"identityFields": [], "enabled": False}


@pytest.mark.parametrize(("body", "code"), [
    ({"password": "password1"}, "validation_password_too_common"),
    ({"password": "Ann-smith", "email": "ann-smith@example.com"}, "validation_password_too_guessable"),
    ({"password": "Lambdabase!"}, "validation_password_too_guessable"),
    ({"password": "quiet-maple-harbor"}, None),
    ({}, None),
])
def test_new_passwords_of_auth_records_meet_the_policy(body: dict[str, str], code: str | None) -> None:
    errors = new_password_errors(_users().collection, body, None)

    assert (errors["password"]["code"] if errors else None) == code


def test_base_collections_are_not_policed() -> None:
    collection = _users().collection.model_copy(update={"type": "base"})

    assert new_password_errors(collection, {"password": "password1"}, None) == {}


def test_strength_report_of_an_empty_password() -> None:
    report = strength_report(_users().collection, {})

    assert report["score"] == 0 and report["acceptable"] is False
    assert report["errors"]["password"]["code"] == "validation_required"


def test_resend_guard_allows_one_mail_per_interval_and_can_be_released() -> None:
    guard = InMemoryMailResendGuard()

    assert guard.acquire("c", "r", "verification", now=100, interval_s=120)
    assert not guard.acquire("c", "r", "verification", now=150, interval_s=120)
    assert guard.acquire("c", "r", "passwordReset", now=150, interval_s=120)  # another kind
    assert guard.acquire("c", "r", "verification", now=220, interval_s=120)  # interval passed
    guard.release("c", "r", "verification")
    assert guard.acquire("c", "r", "verification", now=221, interval_s=120)


@pytest.mark.parametrize(("raw", "expected"), [(None, 0), ("", 0), (0, 0), (90, 90), ("30", 30), (1.9, 1)])
def test_impersonation_duration(raw: object, expected: int) -> None:
    assert _duration({"duration": raw}) == expected


@pytest.mark.parametrize("raw", [-1, "soon", True, [1]])
def test_impersonation_duration_must_be_a_non_negative_number(raw: object) -> None:
    with pytest.raises(BadRequestError):
        _duration({"duration": raw})


def test_session_json_uses_pocketbase_dates_and_marks_the_current_one() -> None:
    session = RefreshSession(id="f1", record_id="r", collection_id="c", created=0, last_used=60,
                             expires_at=86_400, user_agent="ua", ip="1.2.3.4")

    assert session_json(session, "f1") == {
        "id": "f1", "created": "1970-01-01 00:00:00.000Z", "lastUsed": "1970-01-01 00:01:00.000Z",
        "expires": "1970-01-02 00:00:00.000Z", "userAgent": "ua", "ip": "1.2.3.4", "current": True}
    assert session_json(session, None)["current"] is False
