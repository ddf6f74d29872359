"""The realtime protocol's logic: what to store and answer for connect, message and disconnect."""

from __future__ import annotations

import json
from typing import Any

from shared.realtime.sender import ConnectionGoneError, MessageSender
from shared.realtime.subscriptions import Connection, SubscriptionStore


def on_connect(repo: SubscriptionStore, conn: Connection) -> None:
    repo.open(conn)


def on_disconnect(repo: SubscriptionStore, connection_id: str) -> None:
    repo.close(connection_id)


def on_message(repo: SubscriptionStore, sender: MessageSender, connection_id: str, body: str) -> None:
    """Answer one client message; a message to a connection that is already gone forgets it."""
    reply: dict[str, Any]
    try:
        message = json.loads(body)
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        reply = {"type": "error", "status": 400, "message": "Messages must be JSON objects with a type."}
    elif message["type"] == "ping":
        reply = {"type": "pong", "id": message.get("id")}
    else:
        reply = {"type": "error", "status": 400, "message": f"Unknown message type {message['type']!r}."}
    try:
        sender.send(connection_id, reply)
    except ConnectionGoneError:
        repo.close(connection_id)
