"""The realtime_fanout function on moto: record writes in, through the stream mapping, posts to connections out."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import cloud
from local.invoke import invoke
from local.pollers import StreamPoller
from shared import aws, resources
from shared.catalog.layout import plan_layout
from shared.catalog.repository import StoredCollection, get_collection_repository
from shared.collections.validate import validate_collection
from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from shared.realtime.subscriptions import Connection, Target
from shared.records.context import RequestContext
from shared.records.repository import get_record_repository
from shared.records.rules import check_rule
from shared.records.scope import RecordScope

SYSTEM, RECORDS = resources.SYSTEM_TABLE.physical_name, resources.RECORDS_TABLE.physical_name
SOURCE = next(s for s in resources.EVENT_SOURCES if s.function == "realtime_fanout")


class FakeManagementApi:
    """API Gateway's @connections API as a client sees it: posts kept per connection, 410 for gone ones,
    LimitExceededException (429) for throttled ones, a 500 for failing ones, as many times as asked."""

    def __init__(self) -> None:
        self.exceptions = boto3.client("apigatewaymanagementapi", region_name="us-east-1",
                                       endpoint_url="https://example.invalid").exceptions
        self.received: dict[str, list[dict[str, Any]]] = {}
        self.gone: set[str] = set()
        self.throttle: dict[str, int] = {}
        self.fail: dict[str, int] = {}
        self.deleted: list[str] = []
        self._lock = threading.Lock()

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:
        with self._lock:
            if ConnectionId in self.gone:
                raise self.exceptions.GoneException({"Error": {"Code": "GoneException"}}, "PostToConnection")
            for refusals, code, status in ((self.throttle, "LimitExceededException", 429),
                                           (self.fail, "InternalServerErrorException", 500)):
                if refusals.get(ConnectionId, 0) > 0:
                    refusals[ConnectionId] -= 1
                    raise ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                                      "PostToConnection")
            self.received.setdefault(ConnectionId, []).append(json.loads(Data))
        return {}

    def delete_connection(self, ConnectionId: str) -> dict[str, Any]:
        self.deleted.append(ConnectionId)
        return {}


@pytest.fixture
def api(moto: cloud.MotoCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeManagementApi]:
    monkeypatch.setenv("LB_WS_MANAGEMENT_ENDPOINT", "https://ws.example.invalid/ws")
    fake = FakeManagementApi()

    def factory(service: str, endpoint_url: str | None) -> Any:
        return fake if service == "apigatewaymanagementapi" else aws.sdk_client(service, endpoint_url)

    with aws.clients_from(factory):
        yield fake


def _scope() -> RecordScope:
    return RecordScope(get_collection_repository(SYSTEM), get_record_repository(RECORDS, SYSTEM),
                       RequestContext(method="POST", system=True))


def _collection(body: dict[str, Any]) -> str:
    collections = get_collection_repository(SYSTEM)
    collection = validate_collection(body, existing=None, find_collection=lambda _n: None, check_rule=check_rule)
    collections.save(StoredCollection(collection=collection, layout=plan_layout(collection, None, has_records=False)))
    return collection.id


def _subscribe(store: DynamoSubscriptionStore, connection_id: str, *targets: tuple[str, Target]) -> None:
    store.open(Connection(connection_id=connection_id, connected_at=1))
    store.subscribe(connection_id, list(targets))


class Results:
    def __init__(self) -> None:
        self.answers: list[Any] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        answer = invoke(name, event)
        self.answers.append(answer)
        return answer


def _drain(poller: StreamPoller) -> None:
    for _ in range(20):
        if not poller.poll_once():
            return
    raise AssertionError("the stream never went quiet")


@pytest.fixture
def world(api: FakeManagementApi) -> tuple[DynamoSubscriptionStore, str, StreamPoller, Results]:
    """A public `notes` collection, a store on the system table, the fan-out's stream mapping from LATEST."""
    notes = _collection({"name": "notes", "type": "base", "listRule": "", "viewRule": "",
                         "fields": [{"name": "title", "type": "text"}]})
    results = Results()
    return DynamoSubscriptionStore(SYSTEM), notes, StreamPoller(SOURCE, results), results


def test_a_write_reaches_every_subscriber_in_write_order(world: tuple, api: FakeManagementApi) -> None:
    store, notes, poller, _ = world
    # Given two subscribers of the collection and one of a record that is not written
    _subscribe(store, "c1", ("notes/*", Target(collection_id=notes)))
    _subscribe(store, "c2", ("notes", Target(collection_id=notes)))
    _subscribe(store, "c3", ("notes/other", Target(collection_id=notes, record_id="other")))
    # When a note is created and updated twice
    note = _scope().writer.create("notes", {"title": "v1"}).record
    _scope().writer.update("notes", note.id, {"title": "v2"})
    _scope().writer.update("notes", note.id, {"title": "v3"})
    _drain(poller)
    # Then both collection subscribers get the three events in write order, under their own topic strings
    for connection_id, topic in (("c1", "notes/*"), ("c2", "notes")):
        events = api.received[connection_id]
        assert [(e["topic"], e["data"]["action"], e["data"]["record"]["title"]) for e in events] == [
            (topic, "create", "v1"), (topic, "update", "v2"), (topic, "update", "v3")]
    assert "c3" not in api.received


def test_gone_connections_are_closed_and_throttled_posts_retried(world: tuple, api: FakeManagementApi) -> None:
    store, notes, poller, results = world
    for connection_id in ("live", "gone", "busy"):
        _subscribe(store, connection_id, ("notes", Target(collection_id=notes)))
    api.gone.add("gone")
    api.throttle["busy"] = 2
    # When a note is created
    _scope().writer.create("notes", {"title": "x"})
    _drain(poller)
    # Then the gone connection is forgotten with its subscriptions, the throttled one got its event after
    # backing off, and the batch succeeded at once
    assert store.connection("gone") is None
    assert {s.connection_id for s in store.subscriptions(Target(collection_id=notes))} == {"live", "busy"}
    assert len(api.received["busy"]) == 1 and len(api.received["live"]) == 1
    assert results.answers == [{"batchItemFailures": []}]


def test_a_partly_failed_change_is_redelivered_to_those_still_owed_it_only(world: tuple,
                                                                            api: FakeManagementApi) -> None:
    store, notes, poller, results = world
    for connection_id in ("ok1", "ok2", "flaky"):
        _subscribe(store, connection_id, ("notes", Target(collection_id=notes)))
    # Given a connection that fails more posts than one invocation's delivery rounds
    api.fail["flaky"] = 5
    # When two notes are created (one stream batch)
    first = _scope().writer.create("notes", {"title": "first"}).record
    _scope().writer.create("notes", {"title": "second"})
    _drain(poller)
    # Then the first invocation reported the first change failed, and the redelivery finished the batch
    assert len(results.answers[0]["batchItemFailures"]) == 1
    assert results.answers[-1] == {"batchItemFailures": []}
    # And everyone got each note exactly once, in write order: nothing was sent twice, nor overtaken
    for connection_id in ("ok1", "ok2", "flaky"):
        titles = [e["data"]["record"]["title"] for e in api.received[connection_id]]
        assert titles == ["first", "second"], connection_id
    assert api.received["ok1"][0]["data"]["record"]["id"] == first.id
    # And the retry ledger is empty again
    items = aws.client("dynamodb").scan(TableName=SYSTEM, FilterExpression="begins_with(pk, :p)",
                                        ExpressionAttributeValues={":p": {"S": "rtretry#"}})["Items"]
    assert items == []


def test_a_connection_that_never_takes_a_change_is_given_up_and_disconnected(world: tuple,
                                                                            api: FakeManagementApi) -> None:
    store, notes, poller, results = world
    _subscribe(store, "ok", ("notes", Target(collection_id=notes)))
    _subscribe(store, "dead", ("notes", Target(collection_id=notes)))
    api.fail["dead"] = 1000
    _scope().writer.create("notes", {"title": "one"})
    _scope().writer.create("notes", {"title": "two"})
    _drain(poller)
    # Then after its last allowed redelivery the fan-out stops owing it: it is disconnected and forgotten,
    # the batch completes, and nothing reached Lambda's failure queue
    assert api.deleted == ["dead"] and store.connection("dead") is None
    assert [e["data"]["record"]["title"] for e in api.received["ok"]] == ["one", "two"]
    assert results.answers[-1] == {"batchItemFailures": []}
    assert len(results.answers) == SOURCE.retry_attempts  # one fewer than Lambda's invocations of it
