"""PocketBase's SSE wire format: `id:<clientId>`, `event:<name>`, `data:<json>`, as its Message.WriteSSE writes it."""

from __future__ import annotations

import json
from typing import Any

CONNECT_EVENT = "PB_CONNECT"
# A comment line: EventSource parsers skip it, so it keeps a quiet stream open through proxies without an event.
KEEPALIVE = b":\n\n"

# Go's json.Marshal escapes these for safe embedding in HTML; PocketBase's data is written that way.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})


def go_json(value: Any) -> bytes:
    """JSON as Go's json.Marshal writes it: compact, UTF-8, with <, > and & escaped."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).translate(_GO_ESCAPES).encode()


def sse_message(event_id: str, name: str, data: bytes) -> bytes:
    """One SSE message; a name or id holding a line break would split the message, so breaks become spaces."""
    clean_id = event_id.replace("\r", " ").replace("\n", " ")
    clean_name = name.replace("\r", " ").replace("\n", " ")
    return b"id:" + clean_id.encode() + b"\nevent:" + clean_name.encode() + b"\ndata:" + data + b"\n\n"


def connect_message(client_id: str) -> bytes:
    """PocketBase's first message: the client id, in `id:` and in the data."""
    return sse_message(client_id, CONNECT_EVENT, go_json({"clientId": client_id}))


def event_message(client_id: str, frame: dict[str, Any]) -> bytes | None:
    """The SSE message of one WebSocket `event` frame, named by its subscription string; None for other frames.

    A record event's data is PocketBase's recordData, `{"record", "action"}` in that order; a channel event's
    data is passed on as it came.
    """
    if frame.get("type") != "event" or not isinstance(frame.get("topic"), str):
        return None
    data = frame.get("data")
    if isinstance(data, dict) and "record" in data and "action" in data and data.get("action") != "publish":
        data = {"record": data["record"], "action": data["action"]}
    return sse_message(client_id, frame["topic"], go_json(data))
