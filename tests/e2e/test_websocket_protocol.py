"""The WebSocket protocol end to end: discovery, auth, subscriptions, limits, channels and presence, through the
local gateway and the realtime function, with the `websockets` client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import boto3
import pytest
import websockets

from shared import resources
from tests.support.records_api import GUEST, Api
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

TIMEOUT_S = 10


class Client:
    """One WebSocket connection: requests matched to their answers by id, everything else kept in `inbox`."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.inbox: list[dict[str, Any]] = []
        self.next_id = 0

    async def ask(self, type: str, **fields: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.ws.send(json.dumps({"type": type, "id": self.next_id, **fields}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT_S))
            if message.get("id") == self.next_id and message["type"] in ("ack", "pong", "error"):
                return message
            self.inbox.append(message)

    async def next_message(self) -> dict[str, Any]:
        if self.inbox:
            return self.inbox.pop(0)
        return json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT_S))


@asynccontextmanager
async def connected(url: str, token: str | None = None) -> AsyncIterator[Client]:
    async with websockets.connect(url) as ws:
        client = Client(ws)
        if token is not None:
            ack = await client.ask("auth", token=token)
            assert ack["type"] == "ack", ack
        yield client


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def users(api: Api) -> Api:
    api.sign_up_user("other")
    return api


@pytest.fixture(scope="module")
def ws_url(api: Api, stack: StackProcess) -> str:
    """Discovered as the JS adapter does it, from the REST API."""
    response = api.request("GET", "/api/realtime/websocket", role=GUEST)
    assert response.status_code == 200
    return str(response.json()["url"])


@pytest.fixture
def channels(api: Api) -> Iterator[None]:
    """`room-*`: anyone subscribes, signed-in users publish, presence on."""
    rule = {"pattern": "room-*", "subscribeRule": "", "publishRule": "@request.auth.id != ''", "presence": True}
    api.ok("PATCH", "/api/settings", json={"realtime": {"channels": [rule]}})
    yield
    api.ok("PATCH", "/api/settings", json={"realtime": {"channels": []}})


def stored_topics(stack: StackProcess, connection_id: str) -> list[str]:
    """The connection item's subscription strings, read from the stack's DynamoDB."""
    ddb = boto3.client("dynamodb", endpoint_url=stack.moto_endpoint(), region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    item = ddb.get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                        Key={"pk": {"S": f"conn#{connection_id}"}, "sk": {"S": "conn"}})["Item"]
    return [value["S"] for value in item["topics"]["L"]]


def test_discovery_names_the_local_gateway(ws_url: str, stack: StackProcess) -> None:
    assert ws_url == stack.ws_url


def test_subscribe_unsubscribe_and_a_bad_message_keep_the_rest(users: Api, ws_url: str, stack: StackProcess) -> None:
    async def scenario() -> None:
        async with connected(ws_url) as client:
            ack = await client.ask("auth", token=users.tokens["user"])
            assert ack["auth"]["recordId"] == users.users["user"]["id"]
            cid = ack["connectionId"]
            assert (await client.ask("subscribe", topics=["users/*", "users/abc"]))["type"] == "ack"
            # a message with one bad filter is refused whole, naming the string
            bad = 'users?options={"query":{"filter":"name ="}}'
            error = await client.ask("subscribe", topics=["users/def", bad])
            assert (error["type"], error["status"], error["message"]) == ("error", 400, "Invalid filter parameters.")
            assert error["data"]["topics"]["1"]["topic"] == bad
            garbage = await client.ask("nonsense")
            assert garbage["status"] == 400
            assert stored_topics(stack, cid) == ["users/*", "users/abc"]
            assert (await client.ask("unsubscribe", topics=["users/*"]))["type"] == "ack"
            assert stored_topics(stack, cid) == ["users/abc"]
            assert (await client.ask("ping"))["type"] == "pong"

    run(scenario())


def test_a_binary_frame_of_json_is_a_message(ws_url: str) -> None:
    async def scenario() -> None:
        async with websockets.connect(ws_url) as ws:
            await ws.send(json.dumps({"type": "ping", "id": "b"}).encode())
            assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S)) == {"type": "pong", "id": "b"}

    run(scenario())


def test_the_subscription_limit_answers_an_error(ws_url: str) -> None:
    async def scenario() -> None:
        async with connected(ws_url) as client:
            error = await client.ask("subscribe", topics=[f"users/r{i}" for i in range(1001)])
            assert error["status"] == 400 and "1000" in error["message"]
            assert (await client.ask("subscribe", topics=[f"users/r{i}" for i in range(1000)]))["type"] == "ack"

    run(scenario())


def test_a_revoked_session_token_is_refused_and_the_auth_kept(users: Api, ws_url: str) -> None:
    # Given a user of its own (its sessions are revoked below), signed in: its token is bound to a session
    other = users.sign_up_user("revoked")
    token = users.tokens["revoked"]

    async def scenario() -> None:
        async with connected(ws_url) as client:
            assert (await client.ask("auth", token=token))["auth"]["recordId"] == other["id"]
            # When every session of the record is revoked
            users.ok("DELETE", f"/api/collections/users/records/{other['id']}/sessions", status=204)
            # Then the same token is a 401, and the connection still acts as it did
            error = await client.ask("auth", token=token)
            assert (error["type"], error["status"]) == ("error", 401)
            # An impersonation token issued since (no session) is accepted as on HTTP
            impersonated = users.ok("POST", f"/api/collections/users/impersonate/{other['id']}",
                                    json={"duration": 60})
            ack = await client.ask("auth", token=impersonated["token"])
            assert ack["auth"]["recordId"] == other["id"]
            assert (await client.ask("auth", token=""))["auth"] is None

    run(scenario())


def test_an_expired_token_is_refused(users: Api, ws_url: str) -> None:
    # Given an impersonation token of "user" that lives one second
    user = users.users["user"]
    short = users.ok("POST", f"/api/collections/users/impersonate/{user['id']}", json={"duration": 1})["token"]
    time.sleep(2.1)

    async def scenario() -> None:
        async with connected(ws_url) as client:
            # When it authenticates past its expiry, Then a 401, and the connection stays a guest
            error = await client.ask("auth", token=short)
            assert (error["type"], error["status"]) == ("error", 401)
            assert (await client.ask("auth", token=""))["auth"] is None

    run(scenario())


@pytest.mark.usefixtures("channels")
def test_channel_publish_allowed_and_refused(users: Api, ws_url: str) -> None:
    async def scenario() -> None:
        async with connected(ws_url, users.tokens["user"]) as author, connected(ws_url) as guest:
            assert (await guest.ask("subscribe", topics=["channel:room-1"]))["type"] == "ack"
            assert (await author.ask("publish", channel="channel:room-1", data={"text": "hi"}))["type"] == "ack"
            event = await guest.next_message()
            assert event["topic"] == "channel:room-1" and event["data"]["data"] == {"text": "hi"}
            assert event["data"]["from"]["recordId"] == users.users["user"]["id"]
            refused = await guest.ask("publish", channel="channel:room-1", data="x")
            assert (refused["type"], refused["status"]) == ("error", 403)
            assert (await guest.ask("subscribe", topics=["channel:elsewhere"]))["status"] == 403

    _with_settings_cache(lambda: run(scenario()))


@pytest.mark.usefixtures("channels")
def test_presence_join_and_leave_on_disconnect(users: Api, ws_url: str) -> None:
    async def scenario() -> None:
        async with connected(ws_url, users.tokens["user"]) as stayer:
            await stayer.ask("join", channel="channel:room-2", meta={"name": "Stay"})
            async with connected(ws_url, users.tokens["other"]) as leaver:
                joined = await leaver.ask("join", channel="channel:room-2", meta={"name": "Leave"})
                assert sorted(m["meta"]["name"] for m in joined["members"]) == ["Leave", "Stay"]
                join = await stayer.next_message()
                assert (join["type"], join["event"], join["member"]["meta"]) == ("presence", "join", {"name": "Leave"})
            # When the leaver's socket closes, Then the stayer hears it leave
            leave = await stayer.next_message()
            assert (leave["type"], leave["event"]) == ("presence", "leave")
            assert leave["member"]["auth"]["recordId"] == users.users["other"]["id"]
            members = (await stayer.ask("presence", channel="channel:room-2"))["members"]
            assert [m["meta"] for m in members] == [{"name": "Stay"}]

    _with_settings_cache(lambda: run(scenario()))


def _with_settings_cache(check: Any) -> None:
    """Run a check after a settings change; an instance may keep settings up to 5 s (docs/admin-api.md)."""
    deadline = time.monotonic() + 8
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
