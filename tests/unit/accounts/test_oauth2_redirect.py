"""PocketBase's all-in-one OAuth2 callback: the code reaches only the realtime client named by the state, once,
and only from the address it connected from."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.accounts.oauth2.apple_names import InMemoryAppleNameStore, name_from_redirect
from shared.accounts.oauth2.redirect import RedirectData, deliver_redirect
from shared.realtime.sender import ConnectionGoneError, MessageSender
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore, Target
from shared.realtime.topics import OAUTH2_TOPIC


class RecordingSender(MessageSender):
    def __init__(self, gone: bool = False) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gone = gone

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        if self.gone:
            raise ConnectionGoneError()
        self.sent.append((connection_id, message))


@pytest.fixture
def store() -> InMemorySubscriptionStore:
    store = InMemorySubscriptionStore()
    store.open(Connection(connection_id="client1", connected_at=0))
    store.set_source("client1", "203.0.113.7", "Mozilla/5.0")
    store.subscribe("client1", [(OAUTH2_TOPIC, Target(channel=OAUTH2_TOPIC))])
    return store


def test_the_code_goes_to_the_waiting_client_once(store: InMemorySubscriptionStore) -> None:
    # Given a realtime client waiting on @oauth2, When the provider redirects with its id as the state
    sender = RecordingSender()
    done = deliver_redirect(store, sender, RedirectData("client1", "the-code"), "203.0.113.7")
    # Then it gets {state, code} on @oauth2, and its subscription is used up
    assert done is True
    assert sender.sent == [("client1", {"type": "event", "topic": OAUTH2_TOPIC,
                                        "data": {"state": "client1", "code": "the-code"}})]
    assert OAUTH2_TOPIC not in store.connection("client1").topics  # type: ignore[union-attr]
    # And the same redirect again (a replay) reaches no one
    assert deliver_redirect(store, sender, RedirectData("client1", "the-code"), "203.0.113.7") is False
    assert len(sender.sent) == 1


def test_a_provider_error_is_delivered_and_fails(store: InMemorySubscriptionStore) -> None:
    sender = RecordingSender()
    assert deliver_redirect(store, sender, RedirectData("client1", "", "access_denied"), "203.0.113.7") is False
    assert sender.sent[0][1]["data"] == {"state": "client1", "code": "", "error": "access_denied"}


@pytest.mark.parametrize(("data", "ip"), [
    (RedirectData("", "c"), "203.0.113.7"),  # no state
    (RedirectData("other", "c"), "203.0.113.7"),  # no such client
    (RedirectData("client1", "c"), "198.51.100.9"),  # another address than the client's
    (RedirectData("x" * 256, "c"), "203.0.113.7"),  # too long to be a client id
])
def test_nothing_is_sent_to_anyone_else(store: InMemorySubscriptionStore, data: RedirectData, ip: str) -> None:
    sender = RecordingSender()
    assert deliver_redirect(store, sender, data, ip) is False
    assert sender.sent == []
    assert OAUTH2_TOPIC in store.connection("client1").topics  # type: ignore[union-attr]


def test_a_client_without_the_subscription_gets_nothing(store: InMemorySubscriptionStore) -> None:
    store.unsubscribe("client1", [OAUTH2_TOPIC])
    sender = RecordingSender()
    assert deliver_redirect(store, sender, RedirectData("client1", "c"), "203.0.113.7") is False
    assert sender.sent == []


def test_a_gone_client_fails_the_flow(store: InMemorySubscriptionStore) -> None:
    assert deliver_redirect(store, RecordingSender(gone=True), RedirectData("client1", "c"), "203.0.113.7") is False


def test_apples_name_is_kept_a_minute_for_the_sign_in(store: InMemorySubscriptionStore) -> None:
    # Given Apple's first form_post redirect, with the user's name
    names = InMemoryAppleNameStore()
    user = json.dumps({"name": {"firstName": "Ada", "lastName": "Lovelace"}, "email": "a@privaterelay.example"})
    deliver_redirect(store, RecordingSender(), RedirectData("client1", "apple-code", "", user), "203.0.113.7", names)
    # When the sign-in exchanges that code, Then the name is there once, and only for that code
    assert names.take("other-code") is None
    assert names.take("apple-code") == "Ada Lovelace"
    assert names.take("apple-code") is None


def test_apples_name_expires_after_a_minute() -> None:
    names = InMemoryAppleNameStore()
    names.put("code", "Ada", now=1000)
    assert names.take("code", now=1061) is None


@pytest.mark.parametrize(("field", "name"), [
    ('{"name": {"firstName": "Ada"}}', "Ada"), ("not json", ""), ('{"name": "Ada"}', ""),
    ('{"name": {"firstName": "' + "x" * 200 + '"}}', "x" * 150),
])
def test_apples_user_field_is_read_leniently(field: str, name: str) -> None:
    assert name_from_redirect(field) == name
