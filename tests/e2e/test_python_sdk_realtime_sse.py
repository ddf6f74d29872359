"""The `pocketbase` Python SDK, unchanged, hears record changes over SSE from the session stack's bridge."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from pocketbase import PocketBase

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

# The fan-out runs from the change stream, polled like Lambda's event source mapping.
EVENT_TIMEOUT_S = 20.0


def test_python_sdk_subscribes_over_sse(stack: StackProcess, api: Api) -> None:
    # Given a public collection and the SDK subscribed to it (its own SSE client and POST /api/realtime)
    collection = api.create_collection({"name": unique("pysse"), "type": "base", "listRule": "", "viewRule": "",
                                        "fields": [{"name": "title", "type": "text"}]})
    pb = PocketBase(stack.url)
    pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    events: list[tuple[str, Any]] = []
    arrived = threading.Event()

    def on_event(message: Any) -> None:
        events.append((message.action, message.record))
        arrived.set()

    pb.collection(collection["name"]).subscribe(on_event)
    try:
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while not pb.realtime.client_id and time.monotonic() < deadline:
            time.sleep(0.05)  # PB_CONNECT, then the SDK posts its subscriptions
        assert pb.realtime.client_id
        time.sleep(0.5)
        # When a record is created and updated through the REST API
        created = api.create_record(collection["name"], {"title": "hello"})
        api.ok("PATCH", f"/api/collections/{collection['name']}/records/{created['id']}", json={"title": "again"})
        # Then the SDK's callback gets both, in write order, with the record's fields
        while len(events) < 2 and time.monotonic() < deadline:
            arrived.wait(0.2)
            arrived.clear()
        assert [(action, record.id) for action, record in events] == [("create", created["id"]),
                                                                      ("update", created["id"])]
        assert events[1][1].title == "again"
    finally:
        pb.realtime.unsubscribe()
