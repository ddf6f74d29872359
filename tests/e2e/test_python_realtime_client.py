"""lambdabase.realtime (sync and async) gets record events from the session stack, and comes back after a drop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lambdabase.realtime import RealtimeClient, SyncRealtimeClient
from tests.support.records_api import Api, unique
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

# The fan-out runs from the change stream, polled like Lambda's event source mapping.
EVENT_TIMEOUT_S = 20.0


def wait_for(check: Callable[[], Any], what: str, timeout: float = EVENT_TIMEOUT_S) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def test_sync_client_events_rules_and_reconnect(stack: StackProcess, api: Api) -> None:
    # Given a collection signed-in users may read, and a signed-in user's sync client subscribed to it
    name = unique("py_rt")
    api.create_collection({"name": name, "type": "base", "listRule": '@request.auth.id != ""',
                           "viewRule": '@request.auth.id != ""', "fields": [{"name": "title", "type": "text"}]})
    events: list[dict[str, Any]] = []
    guest_events: list[dict[str, Any]] = []
    with SyncRealtimeClient(stack.url, token=api.tokens["user"], reconnect_intervals=[0.1, 0.3]) as rt, \
            SyncRealtimeClient(stack.url) as guest:
        rt.subscribe(f"{name}/*", events.append)
        guest.subscribe(f"{name}/*", guest_events.append)
        # When a record is created
        record = api.create_record(name, {"title": "one"})
        # Then the user hears it, shaped as the REST API answers it, and the guest does not
        event = wait_for(lambda: next((e for e in events if e["record"]["id"] == record["id"]), None), "the create")
        assert event == {"action": "create", "record": record}
        # When the stack drops the user's connection (API Gateway's DeleteConnection)
        first = rt.connection_id
        assert httpx.delete(f"{stack.url}/_aws/ws/@connections/{first}").status_code < 300
        wait_for(lambda: rt.is_connected and rt.connection_id not in ("", first), "the reconnect")
        # Then the next change reaches it on the new connection
        second = api.create_record(name, {"title": "two"})
        wait_for(lambda: any(e["record"]["id"] == second["id"] for e in events), "the event after the reconnect")
        time.sleep(1.0)
        assert guest_events == []


def test_async_client_record_topic_with_options(stack: StackProcess, api: Api) -> None:
    name = unique("py_rt_async")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "",
                           "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})
    record = api.create_record(name, {"title": "watched", "n": 1})

    async def scenario() -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        async with RealtimeClient(stack.url) as rt:
            # Given a guest subscribed to one record with `fields`
            await rt.subscribe(f"{name}/{record['id']}", events.append, fields="id,n")
            # When it is updated, then deleted
            await asyncio.to_thread(api.ok, "PATCH", f"/api/collections/{name}/records/{record['id']}", json={"n": 2})
            await asyncio.to_thread(api.ok, "DELETE", f"/api/collections/{name}/records/{record['id']}", status=204)
            deadline = time.monotonic() + EVENT_TIMEOUT_S
            while not any(e["action"] == "delete" for e in events) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        # The create may come too: the fan-out matches a change when the stream delivers it, so a subscription
        # made just after a write can still hear it.
        return [e for e in events if e["action"] != "create"]

    # Then both events came, in write order, with only the fields asked for
    assert asyncio.run(scenario()) == [{"action": "update", "record": {"id": record["id"], "n": 2}},
                                       {"action": "delete", "record": {"id": record["id"], "n": 2}}]
