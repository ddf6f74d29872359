"""Record changes reach WebSocket subscribers of the local stack: rules, options, write order, 410 cleanup."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import websockets

from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from shared.realtime.subscriptions import Connection, Target
from tests.support.realtime_stack import SYSTEM, connect, stack_clients, subscribe, wait_for
from tests.support.records_api import Api, unique
from tests.support.stack_process import StackProcess


def _collection(api: Api, **rules: Any) -> tuple[str, str]:
    name = unique("rtf")
    body = api.create_collection({"name": name, "type": "base", "createRule": "", **rules,
                                  "fields": [{"name": "title", "type": "text"},
                                             {"name": "note", "type": "text", "hidden": True}]})
    return name, str(body["id"])


def test_a_guest_gets_what_its_rules_allow_in_write_order(stack: StackProcess, api: Api) -> None:
    public, public_id = _collection(api, listRule="", viewRule="")
    locked, locked_id = _collection(api, listRule=None, viewRule=None)

    async def scenario() -> list[dict[str, Any]]:
        with stack_clients(stack):
            (guest, picky) = await connect(stack, 2)
            subscribe([guest], public, public_id)
            subscribe([guest], f"{locked}/*", locked_id)
            options = json.dumps({"query": {"filter": "title = 'b'", "fields": "id,title"}})
            subscribe([picky], f"{public}?options={options}", public_id)
        try:
            # When records are written in both collections, one updated and deleted
            await asyncio.to_thread(api.create_record, locked, {"title": "hidden"})
            record = await asyncio.to_thread(api.create_record, public, {"title": "a", "note": "n"})
            await asyncio.to_thread(api.ok, "PATCH", f"/api/collections/{public}/records/{record['id']}",
                                    json={"title": "b"})
            await asyncio.to_thread(api.ok, "DELETE", f"/api/collections/{public}/records/{record['id']}",
                                    status=204)
            await wait_for([guest], 3)
            await wait_for([picky], 2)
            await asyncio.sleep(0.5)  # time for anything that should not come
            assert [e["data"]["record"] for _, e in picky.events] == [{"id": record["id"], "title": "b"}] * 2
            return [e for _, e in guest.events]
        finally:
            await guest.close()
            await picky.close()

    events = asyncio.run(scenario())
    # Then the guest got the public record's three changes in write order, hidden fields removed, and nothing
    # of the locked collection
    assert [(e["topic"], e["data"]["action"], e["data"]["record"]["title"]) for e in events] == [
        (public, "create", "a"), (public, "update", "b"), (public, "delete", "b")]
    assert all("note" not in e["data"]["record"] for e in events)


def test_a_connection_that_vanished_gets_410_and_is_cleaned_up(stack: StackProcess, api: Api) -> None:
    public, public_id = _collection(api, listRule="", viewRule="")
    with stack_clients(stack):
        # Given a subscription of a connection the gateway no longer has (it vanished without $disconnect)
        store = DynamoSubscriptionStore(SYSTEM)
        store.open(Connection(connection_id="vanished0000000=", connected_at=1))
        store.subscribe("vanished0000000=", [(public, Target(collection_id=public_id))])
        # When a record of its collection changes
        api.create_record(public, {"title": "x"})
        # Then the fan-out's post got 410 and the store forgot the connection
        deadline = time.monotonic() + 10
        while store.connection("vanished0000000=") is not None:
            assert time.monotonic() < deadline, "the vanished connection is still stored"
            time.sleep(0.05)


def test_signed_in_and_guest_subscribers_over_the_protocol(stack: StackProcess, api: Api) -> None:
    # Given a collection whose records only their owner lists, and its users collection id
    users = api.ok("GET", "/api/collections/users")
    owner = api.users.get("owner") or api.sign_up_user("owner")
    notes = unique("rtf")
    api.create_collection({"name": notes, "type": "base", "createRule": "", "updateRule": "",
                           "listRule": "owner = @request.auth.id", "viewRule": "owner = @request.auth.id",
                           "fields": [{"name": "title", "type": "text"},
                                      {"name": "note", "type": "text", "hidden": True},
                                      {"name": "owner", "type": "relation", "collectionId": users["id"],
                                       "maxSelect": 1}]})

    async def ask(ws: Any, **message: Any) -> dict[str, Any]:
        await ws.send(json.dumps({"id": 1, **message}))
        while True:
            answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if answer.get("id") == 1:
                return answer

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with websockets.connect(stack.ws_url) as mine, websockets.connect(stack.ws_url) as guest:
            # When the owner authenticates and both subscribe with real protocol messages
            assert (await ask(mine, type="auth", token=api.tokens["owner"]))["type"] == "ack"
            for ws in (mine, guest):
                assert (await ask(ws, type="subscribe", topics=[f"{notes}/*"]))["type"] == "ack"
            # And the owner's note is created, then updated
            created = await asyncio.to_thread(api.ok, "POST", f"/api/collections/{notes}/records",
                                              json={"title": "mine", "owner": owner["id"], "note": "hidden"})
            await asyncio.to_thread(api.ok, "PATCH", f"/api/collections/{notes}/records/{created['id']}",
                                    json={"title": "still mine"})
            received = [json.loads(await asyncio.wait_for(mine.recv(), 10)) for _ in range(2)]
            with contextlib.suppress(TimeoutError):
                extra = await asyncio.wait_for(guest.recv(), 1.0)
                return received, [json.loads(extra)]
            return received, []

    received, guest_got = asyncio.run(scenario())
    # Then the owner got both changes in order, shaped for them, and the guest nothing
    assert [(e["data"]["action"], e["data"]["record"]["title"]) for e in received] == [
        ("create", "mine"), ("update", "still mine")]
    assert all("note" not in e["data"]["record"] for e in received)
    assert guest_got == []
