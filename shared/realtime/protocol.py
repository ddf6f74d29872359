"""The realtime protocol (docs/api-realtime.md): what to store and answer for connect, each message, and disconnect.

Each client message is one JSON object with a `type`; its answer carries the message's `id`. A message that
cannot be done answers an `error` in PocketBase's shape and changes nothing: the connection, its auth and its
other subscriptions stay as they were. `apply_auth` and `apply_set` are the commands without a message, for the
SSE bridge (`POST /api/realtime`), which acts on its own connection id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shared.errors import ApiError, BadRequestError, InternalError
from shared.observability import logger
from shared.realtime import channels, presence
from shared.realtime.broadcast import close_connections
from shared.realtime.connection_auth import apply_auth, auth_json, authenticate
from shared.realtime.deps import RealtimeDeps
from shared.realtime.sender import ConnectionGoneError
from shared.realtime.subscribe_commands import (
    apply_set,
    apply_subscribe,
    apply_unsubscribe,
    connection_of,
    topic_list,
)
from shared.realtime.subscriptions import Connection

__all__ = ["apply_auth", "apply_set", "close_connection", "close_connections", "on_connect", "on_disconnect",
           "on_message"]

Message = dict[str, Any]
Reply = dict[str, Any]
ACK: Reply = {"type": "ack"}


def on_connect(deps: RealtimeDeps, conn: Connection) -> None:
    deps.store.open(conn)


def close_connection(deps: RealtimeDeps, connection_id: str) -> None:
    """Forget a connection (disconnected, or answering 410) and announce the presence it leaves."""
    close_connections(deps, [connection_id])


def on_disconnect(deps: RealtimeDeps, connection_id: str) -> None:
    close_connection(deps, connection_id)


def _auth(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    token = message.get("token")
    if token is not None and not isinstance(token, str):
        raise BadRequestError("token must be a string.")
    conn = connection_of(deps, cid)
    auth = authenticate(deps, cid, token or "", conn.source_ip)
    return {"type": "ack", "connectionId": cid, "auth": auth_json(auth)}


def _subscribe(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    apply_subscribe(deps, cid, topic_list(message.get("topics")) or [])
    return ACK


def _unsubscribe(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    apply_unsubscribe(deps, cid, topic_list(message.get("topics"), absent_means_all=True))
    return ACK


def _set(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    apply_set(deps, cid, topic_list(message.get("topics")) or [])
    return ACK


def _publish(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    channel = presence.channel_name(message.get("channel"))
    channels.publish(deps, connection_of(deps, cid), channel, message.get("data"))
    return ACK


def _join(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    channel = presence.channel_name(message.get("channel"))
    return {"type": "ack", **presence.join(deps, connection_of(deps, cid), channel, message.get("meta"))}


def _leave(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    presence.leave(deps, connection_of(deps, cid), presence.channel_name(message.get("channel")))
    return ACK


def _presence(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    channel = presence.channel_name(message.get("channel"))
    return {"type": "ack", **presence.members(deps, connection_of(deps, cid), channel)}


def _ping(deps: RealtimeDeps, cid: str, message: Message) -> Reply:
    # Reads nothing: a heartbeat every few minutes per connection must stay the cheapest message there is.
    return {"type": "pong"}


COMMANDS: dict[str, Callable[[RealtimeDeps, str, Message], Reply]] = {
    "auth": _auth, "subscribe": _subscribe, "unsubscribe": _unsubscribe, "set": _set, "publish": _publish,
    "join": _join, "leave": _leave, "presence": _presence, "ping": _ping,
}


def _message_id(message: Message) -> Any:
    value = message.get("id")
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def answer(deps: RealtimeDeps, connection_id: str, body: str) -> Reply:
    """The reply to one client message (already applied when it is an ack)."""
    try:
        message = json.loads(body)
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return {"type": "error", **BadRequestError("Messages must be JSON objects with a type.").body()}
    command = COMMANDS.get(message["type"])
    try:
        if command is None:
            raise BadRequestError(f"Unknown message type {message['type']!r}.")
        reply = dict(command(deps, connection_id, message))
    except ApiError as exc:
        reply = {"type": "error", **exc.body()}
    except Exception:
        # A fault of ours (a storage outage...): the client learns its message was not done, and may retry.
        logger.exception("realtime message failed", extra={"type": message["type"]})
        reply = {"type": "error", **InternalError().body()}
    if "id" in message:
        reply["id"] = _message_id(message)
    return reply


def on_message(deps: RealtimeDeps, connection_id: str, body: str) -> None:
    """Answer one client message; a connection found gone (410) is closed."""
    reply = answer(deps, connection_id, body)
    try:
        deps.sender.send(connection_id, reply)
    except ConnectionGoneError:
        close_connection(deps, connection_id)
    except Exception:
        # The message was applied; only its answer was lost (throttled...): the client's wait for it times out.
        logger.warning("realtime reply not sent", extra={"type": reply.get("type")}, exc_info=True)
