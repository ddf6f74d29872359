"""The changes function on moto: stream batches become envelopes on EventBridge (reaching the events queue)
and audit entries in the audit table, whatever the records' sizes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from local.invoke import invoke
from local.pollers import StreamPoller
from shared import aws, resources
from shared.audit.dynamo_repository import DynamoAuditRepository
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.collections.system import USERS_COLLECTION_NAME
from shared.events.entry_size import PUT_EVENTS_MAX_BYTES, entry_size
from shared.events.envelope import EventEnvelope, payload_of
from shared.events.s3_payloads import S3PayloadStore
from shared.records.context import AuthState, RequestContext
from shared.records.model import ReadMeter
from shared.records.scope import RecordScope
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


class World:
    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
        self.posts = CollectionsAdmin(self.collections, self.records).create(
            {"name": "posts", "type": "base", **OPEN, "fields": [{"name": "title", "type": "text"},
                                                                  {"name": "body", "type": "text", "max": 300_000}]})
        self.stream = StreamPoller(next(s for s in resources.EVENT_SOURCES if s.kind == "table_stream"),
                                   self._invoke)
        self.results: list[Any] = []
        self.events: CappedEvents | None = None

    def _invoke(self, name: str, event: dict[str, Any]) -> Any:
        result = invoke(name, event)
        self.results.append(result)
        return result

    def scope(self, request: RequestContext | None = None) -> RecordScope:
        return RecordScope(self.collections, self.records, request or RequestContext(system=True))

    def drain_stream(self) -> None:
        while self.stream.poll_once():
            pass


class CappedEvents:
    """moto's EventBridge, refusing a PutEvents request over 256 KB whole as EventBridge does (moto accepts it)."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.requests: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def put_events(self, Entries: list[dict[str, Any]]) -> Any:
        size = sum(entry_size(e) for e in Entries)
        self.requests.append(size)
        if size > PUT_EVENTS_MAX_BYTES:
            raise self._real.exceptions.ClientError(
                {"Error": {"Code": "ValidationException", "Message": "Total size of the entries in the request "
                           "is over the limit."}}, "PutEvents")
        return self._real.put_events(Entries=Entries)


@pytest.fixture
def world() -> Iterator[World]:
    with running_cloud():
        events = CappedEvents(aws.sdk_client("events"))
        with aws.clients_from(lambda service, url: events if service == "events" else aws.sdk_client(service, url)):
            world = World()
            world.events = events
            yield world


def queued_envelopes() -> list[tuple[str, EventEnvelope]]:
    url = client("sqs").get_queue_url(QueueName=resources.EVENTS_QUEUE.physical_name)["QueueUrl"]
    out: list[tuple[str, EventEnvelope]] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        for message in messages:
            event = json.loads(message["Body"])
            out.append((event["detail-type"], EventEnvelope.model_validate(event["detail"])))
        if not messages and out:
            break
    return out


def test_a_200_kb_record_its_update_and_ten_30_kb_records_in_one_batch_are_all_published(world: World) -> None:
    # Given one 200 KB record and ten 30 KB records written before the stream is read (one batch)
    writer = world.scope().writer
    big = writer.create("posts", {"title": "big", "body": "b" * 200 * 1024}).record.id
    medium = [writer.create("posts", {"title": f"m{i}", "body": "m" * 30 * 1024}).record.id for i in range(10)]
    # And an update of the big one (its stream record holds both images, 400 KB: never publishable as is)
    writer.update("posts", big, {"title": "bigger"})
    # When the changes function consumes the stream
    world.drain_stream()
    # Then no PutEvents request went over the cap (none refused, no batch retried), none reported as failed
    assert world.events is not None and world.events.requests
    assert max(world.events.requests) <= PUT_EVENTS_MAX_BYTES
    assert all(not (r or {}).get("batchItemFailures") for r in world.results)
    # And all twelve events reached the events queue
    events = queued_envelopes()
    assert sorted(e.subject for _, e in events) == sorted([big, big, *medium])
    assert sorted(t for t, _ in events) == ["record.created"] * 11 + ["record.updated"]
    # And the big one travelled by reference to the payload bucket, which resolves it to the record
    by_ref = [e for _, e in events if e.payload_ref]
    assert [e.subject for e in by_ref] == [big, big]
    store = S3PayloadStore(resources.EVENT_PAYLOADS_BUCKET.physical_name)
    bodies = [payload_of(e, store) for e in by_ref]
    assert all(b is not None and b["record"]["body"] == "b" * 200 * 1024 for b in bodies)
    assert [b["changedFields"] for b in bodies if b and "changedFields" in b] == [["title"]]
    assert all(e.data and len(e.data["record"]["body"]) == 30 * 1024 for _, e in events if e.subject in medium)


def test_the_audit_log_shows_a_create_an_impersonated_update_and_a_delete(world: World) -> None:
    # Given a user, impersonated by a superuser, and a superuser
    users = world.collections.get(USERS_COLLECTION_NAME).collection
    superusers = world.collections.get("_superusers").collection
    user = world.scope().writer.create(users.name, {"email": "u@example.com", "password": "Passw0rd-long",
                                                    "passwordConfirm": "Passw0rd-long"}).record
    admin = world.scope().writer.create(superusers.name, {"email": "a@example.com", "password": "Passw0rd-long",
                                                          "passwordConfirm": "Passw0rd-long"}).record
    as_user = RequestContext(auth=AuthState(user, users, impersonator_id=admin.id), ip="10.0.0.5",
                             user_agent="pytest", request_id="req-1")
    as_admin = RequestContext(auth=AuthState(admin, superusers), ip="10.0.0.6", request_id="req-2")
    # When the impersonated user creates and updates a post, and the superuser deletes it
    post = world.scope(as_user).writer.create("posts", {"title": "draft"}).record.id
    world.scope(as_user).writer.update("posts", post, {"title": "final"})
    world.scope(as_admin).writer.delete("posts", post)
    world.drain_stream()
    # Then the post's history has the three entries in order, each with its actor and diff
    history = list(DynamoAuditRepository(resources.AUDIT_TABLE.physical_name).history(post, newest_first=False))
    assert [e.action for e in history] == ["create", "update", "delete"]
    created, updated, deleted = history
    assert (created.actor.kind, created.actor.id, created.actor.impersonator_id) == ("impersonator", user.id, admin.id)
    assert created.changes["title"].new == "draft" and created.ip == "10.0.0.5" and created.request_id == "req-1"
    assert updated.changed_fields[0] == "title"
    assert (updated.changes["title"].old, updated.changes["title"].new) == ("draft", "final")
    assert (deleted.actor.kind, deleted.actor.id, deleted.ip) == ("superuser", admin.id, "10.0.0.6")
    assert deleted.changes["title"].old == "final" and deleted.changes["title"].new is None
    # And the stamps never reach the record: the user's stored record has no actor in its values
    stored = world.records.get(users.id, user.id, ReadMeter())
    assert stored is not None and "a" not in stored.data
    # And the user's own sign-up entry redacts the password and tokenKey
    signup = next(DynamoAuditRepository(resources.AUDIT_TABLE.physical_name).history(user.id, False))
    assert signup.changes["password"].new == "[redacted]" and signup.changes["tokenKey"].new == "[redacted]"
