"""Auth events on moto: sign-ins publish `auth.*` envelopes naming the account, and a failing bus fails nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from msgspec.structs import replace

from local import cloud
from shared import resources
from shared.accounts.auth_events import AuthEventHooks, publish_to_bus
from shared.accounts.collaborators import accounts
from shared.accounts.signin import password_sign_in
from shared.aws import client
from shared.catalog.repository import DynamoCollectionRepository
from shared.errors import BadRequestError
from shared.records.context import RequestContext
from shared.records.scope import RecordScope
from tests.support.record_stores import dynamo_records

PASSWORD = "Passw0rd-long-enough"


def scope(request: RequestContext | None = None) -> RecordScope:
    return RecordScope(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                       dynamo_records(),
                       request or RequestContext(system=True))


def queued_events() -> list[dict[str, Any]]:
    url = cloud.queue_url(resources.EVENTS_QUEUE.physical_name)
    got = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def sign_in(bus: str, password: str) -> Any:
    hooks = AuthEventHooks()
    hooks.on(publish_to_bus(bus))
    service = scope(RequestContext(method="POST", ip="10.9.8.7", user_agent="sdk/1", request_id="req-7"))
    stored = service.collections.get("users")
    return password_sign_in(service, replace(accounts(), events=hooks), stored,
                            {"identity": "ann@example.com", "password": password})


@pytest.fixture
def user(moto: cloud.MotoCloud) -> str:
    accounts.cache_clear()  # its clients and settings belong to the previous moto
    created = scope().writer.create("users", {"email": "ann@example.com", "password": PASSWORD,
                                              "passwordConfirm": PASSWORD})
    return str(created.record.id)


def test_a_sign_in_publishes_auth_signin_naming_the_account(user: str) -> None:
    # When the user signs in with the right password
    record = sign_in(resources.EVENT_BUS.physical_name, PASSWORD)
    # Then an auth.signin event reached the events queue, its actor the account, from the caller's address
    assert record.id == user
    [event] = queued_events()
    assert (event["source"], event["detail-type"]) == ("lambdabase.auth", "auth.signin")
    detail = event["detail"]
    assert detail["subject"] == user and detail["collectionName"] == "users"
    assert (detail["actor"]["kind"], detail["actor"]["recordId"]) == ("auth", user)
    assert (detail["actor"]["ip"], detail["actor"]["userAgent"], detail["actor"]["requestId"]) == (
        "10.9.8.7", "sdk/1", "req-7")
    assert detail["data"]["method"] == "password" and detail["data"]["record"]["email"] == "ann@example.com"
    assert "password" not in detail["data"]["record"] and "tokenKey" not in detail["data"]["record"]


def test_a_failed_sign_in_publishes_auth_signin_failed_without_the_identity(user: str) -> None:
    with pytest.raises(BadRequestError):
        sign_in(resources.EVENT_BUS.physical_name, "wrong-password")
    [event] = queued_events()
    assert event["detail-type"] == "auth.signin_failed"
    assert event["detail"]["subject"] == "" and event["detail"]["actor"]["kind"] == "guest"
    assert event["detail"]["data"] == {"method": "password", "reason": "invalid_credentials"}
    assert "ann@example.com" not in json.dumps(event)


def test_a_bus_that_refuses_the_event_does_not_fail_the_sign_in(user: str) -> None:
    # Given a bus name that does not exist, so PutEvents fails
    # When the user signs in, then the sign-in still succeeds
    assert sign_in("lambdabase-no-such-bus", PASSWORD).id == user
