"""WebSocket subscribers of a local stack process: many sockets, their connection ids, subscriptions stored directly.

Until a client can subscribe by message, a subscription is written with the stack's own store class
(DynamoSubscriptionStore) on the stack's moto, exactly the items the protocol writes; the socket is found by
the user agent it connected with, which $connect stores on its connection item.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import websockets

from shared import aws, resources
from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
from shared.realtime.subscriptions import RealtimeAuth, Target
from tests.support.stack_process import StackProcess

SYSTEM = resources.SYSTEM_TABLE.physical_name


@contextmanager
def stack_clients(stack: StackProcess) -> Iterator[None]:
    """Serve this process's AWS clients from the stack's moto (its loopback server)."""
    endpoint = stack.moto_endpoint()

    def factory(service: str, _endpoint_url: str | None) -> Any:
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    with aws.clients_from(factory):
        yield


class Subscriber:
    """One WebSocket connection to the stack and the events it received, each with its arrival time."""

    def __init__(self, socket: Any, agent: str) -> None:
        self.socket = socket
        self.agent = agent
        self.connection_id = ""
        self.events: list[tuple[float, dict[str, Any]]] = []
        self._task: asyncio.Task[None] | None = None

    def listen(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._receive())

    async def _receive(self) -> None:
        try:
            async for frame in self.socket:
                self.events.append((time.perf_counter(), json.loads(frame)))
        except websockets.ConnectionClosed:
            return

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.socket.close()


async def connect(stack: StackProcess, count: int, *, concurrency: int = 50) -> list[Subscriber]:
    """Open `count` sockets (a few dozen at a time), each with a user agent of its own."""
    tag = uuid.uuid4().hex[:8]
    limit = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Subscriber:
        agent = f"lb-test-{tag}-{i}"
        async with limit:
            socket = await websockets.connect(stack.ws_url, user_agent_header=agent, max_queue=None)
        return Subscriber(socket, agent)

    subscribers = list(await asyncio.gather(*(one(i) for i in range(count))))
    ids = connection_ids({s.agent for s in subscribers})
    for subscriber in subscribers:
        subscriber.connection_id = ids[subscriber.agent]
        subscriber.listen()
    return subscribers


def connection_ids(agents: set[str]) -> dict[str, str]:
    """user agent -> connection id, from the connection items $connect wrote (inside stack_clients)."""
    found: dict[str, str] = {}
    kwargs: dict[str, Any] = {"TableName": SYSTEM, "FilterExpression": "begins_with(pk, :p)",
                              "ExpressionAttributeValues": {":p": {"S": "conn#"}}}
    while True:
        page = aws.client("dynamodb").scan(**kwargs)
        for item in page["Items"]:
            agent = item.get("userAgent", {}).get("S", "")
            if agent in agents:
                found[agent] = item["pk"]["S"].removeprefix("conn#")
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    missing = agents - set(found)
    assert not missing, f"{len(missing)} sockets have no connection item"
    return found


def subscribe(subscribers: list[Subscriber], topic: str, collection_id: str, record_id: str = "",
              auth: RealtimeAuth | None = None) -> None:
    """Store these subscriptions as the protocol does (inside stack_clients)."""
    store = DynamoSubscriptionStore(SYSTEM)
    for subscriber in subscribers:
        if auth is not None:
            store.set_auth(subscriber.connection_id, auth)
        store.subscribe(subscriber.connection_id, [(topic, Target(collection_id=collection_id,
                                                                   record_id=record_id))])


async def wait_for(subscribers: list[Subscriber], count: int, timeout: float = 10.0) -> None:
    """Until every subscriber holds at least `count` events."""
    deadline = time.perf_counter() + timeout
    while any(len(s.events) < count for s in subscribers):
        if time.perf_counter() > deadline:
            short = sum(1 for s in subscribers if len(s.events) < count)
            raise AssertionError(f"{short} of {len(subscribers)} subscribers still lack event {count}")
        await asyncio.sleep(0.01)
