"""PocketBase's MFA check on in-memory repositories: the overrides' say, PocketBase's options, the sessions that
`find_mfa_session` shows, and the second factor consuming its session."""

from __future__ import annotations

from typing import Any

import pytest

from shared.accounts.mfa import MfaRequiredError, check_mfa, find_mfa_session, load_mfa_session
from shared.catalog.repository import InMemoryCollectionRepository, StoredCollection
from shared.errors import BadRequestError
from shared.records.context import RequestContext
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope


@pytest.fixture
def world() -> tuple[RecordScope, StoredCollection, StoredRecord]:
    """A guest's scope, the users collection and one user."""
    collections = InMemoryCollectionRepository()
    records = InMemoryRecordRepository(collections.shard_count)
    admin = RecordScope(collections, records, RequestContext(method="POST", system=True))
    user = admin.writer.create("users", {"email": "ann@example.com", "password": "Plum-Orchard-4471",
                                         "passwordConfirm": "Plum-Orchard-4471"}).record
    return RecordScope(collections, records, RequestContext(method="POST")), collections.get("users"), user


def with_mfa(stored: StoredCollection, enabled: bool) -> StoredCollection:
    collection = stored.collection.model_copy(deep=True)
    collection.mfa.enabled = enabled
    return stored.model_copy(update={"collection": collection})


def no_opinion(*_: Any) -> None:
    return None


def first_factor(scope: RecordScope, stored: StoredCollection, user: StoredRecord, **kwargs: Any) -> str:
    with pytest.raises(MfaRequiredError) as raised:
        check_mfa(scope, stored, user, "password", {}, {}, **kwargs)
    assert raised.value.status == 401 and raised.value.body() == {"mfaId": raised.value.mfa_id}
    return raised.value.mfa_id


def test_an_override_that_answers_true_requires_a_second_factor_with_mfa_off(world: Any) -> None:
    # Given MFA off in the collection and an override that wants a second factor for this record
    scope, stored, user = world
    seen: list[dict[str, Any]] = []

    def enrolled(_scope: RecordScope, _stored: StoredCollection, record: StoredRecord,
                 request: dict[str, Any]) -> bool | None:
        seen.append(request)
        return True if record.id == user.id else None

    # When the password passes, Then a session is started, which find_mfa_session shows for this collection
    with pytest.raises(MfaRequiredError) as raised:
        check_mfa(scope, stored, user, "password", {"q": "1"}, {"b": "2"}, (no_opinion, enrolled))
    session = find_mfa_session(scope, stored, raised.value.mfa_id)
    assert session is not None and session.method == "password" and session.record_ref == user.id
    # and the override saw the body merged with the query, after the first override had no opinion
    assert seen == [{"q": "1", "b": "2"}]


def test_an_override_that_answers_false_skips_mfa_that_the_collection_wants(world: Any) -> None:
    # Given MFA on, When an override answers False (a remembered device), Then the sign-in completes at once
    scope, stored, user = world
    check_mfa(scope, with_mfa(stored, True), user, "password", {}, {}, (lambda *_: False,))


def test_without_an_opinion_pocketbases_options_decide(world: Any) -> None:
    # Given overrides without an opinion, Then MFA off completes and MFA on asks for a second factor
    scope, stored, user = world
    check_mfa(scope, with_mfa(stored, False), user, "password", {}, {}, (no_opinion,))
    assert first_factor(scope, with_mfa(stored, True), user, overrides=(no_opinion,))


def test_an_empty_method_skips_everything(world: Any) -> None:
    # Given an override that always wants MFA, When the completion names no method, Then nothing is checked
    scope, stored, user = world
    check_mfa(scope, stored, user, "", {}, {}, (lambda *_: True,))


def test_a_second_different_method_consumes_the_session(world: Any) -> None:
    # Given a session started by the password
    scope, stored, user = world
    stored = with_mfa(stored, True)
    mfa_id = first_factor(scope, stored, user)

    # When the same method comes, Then it is refused and the session stays; When another comes, it completes once
    with pytest.raises(BadRequestError, match=r"A different authentication method is required\."):
        check_mfa(scope, stored, user, "password", {"mfaId": mfa_id}, {})
    check_mfa(scope, stored, user, "otp", {"mfaId": mfa_id}, {})
    assert load_mfa_session(scope, mfa_id) is None
    with pytest.raises(BadRequestError, match=r"Invalid or expired MFA session\."):
        check_mfa(scope, stored, user, "totp", {}, {"mfaId": mfa_id})


def test_find_mfa_session_hides_other_collections_and_expired_sessions(world: Any) -> None:
    # Given a live session of users
    scope, stored, user = world
    mfa_id = first_factor(scope, with_mfa(stored, True), user)
    session = load_mfa_session(scope, mfa_id)
    assert session is not None

    # Then another collection does not see it, and it expires after mfa.duration
    assert find_mfa_session(scope, scope.collections.get("_superusers"), mfa_id) is None
    assert find_mfa_session(scope, stored, "") is None
    assert not session.has_expired(600) and session.has_expired(600, now=10**10)
