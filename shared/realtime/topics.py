"""Subscription strings as PocketBase's SDKs write them: `posts/*?options={"query":{...},"headers":{...}}`.

A subscription string is the client's key for its listeners; events are sent back under the exact string,
options included, so that two subscriptions to one topic with different options stay apart (as in PocketBase).
The topic before `?` is one of:
- `<collection>` or `<collection>/*`: every record of the collection, under its listRule;
- `<collection>/<recordId>`: one record, under its viewRule;
- `channel:<name>`: a custom channel (publish and presence, beyond PocketBase).
`<collection>` is a collection's name or id, as in PocketBase.
"""

from __future__ import annotations

import json
import re
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import msgspec

# PocketBase's limits of one `POST /api/realtime` (apis/realtime.go): 1,000 subscriptions of 2,500 characters.
MAX_SUBSCRIPTIONS = 1000
MAX_SUBSCRIPTION_LENGTH = 2500
CHANNEL_PREFIX = "channel:"
# PocketBase's OAuth2 callback topic: /api/oauth2-redirect sends a flow's code to the one client waiting on it.
OAUTH2_TOPIC = "@oauth2"
# Channel names become key parts: a bounded, printable alphabet keeps them unambiguous.
_CHANNEL_NAME = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")

TopicKind = Literal["collection", "record", "channel"]


class TopicError(ValueError):
    """A subscription string that names no topic this server knows."""


class SubscriptionOptions(msgspec.Struct, frozen=True):
    """`options` of a subscription: query parameters (filter, expand, fields, ...) and headers, strings only.

    Header names are normalised as PocketBase does (`X-Token` -> `x_token`), so rules read them the same way.
    """

    query: dict[str, str] = msgspec.field(default_factory=dict)
    headers: dict[str, str] = msgspec.field(default_factory=dict)


class Topic(msgspec.Struct, frozen=True):
    raw: str
    kind: TopicKind
    # the collection's name or id as the client wrote it (collection and record topics)
    collection: str = ""
    record_id: str = ""
    # the channel's name without `channel:` (channel topics)
    channel: str = ""
    options: SubscriptionOptions = msgspec.field(default_factory=SubscriptionOptions)


def _snake(name: str) -> str:
    """PocketBase's inflector.Snakecase for header names: `X-Token` -> `x_token`, `xToken` -> `x_token`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def _as_text(value: object) -> str:
    """PocketBase's cast.ToString of a JSON value: numbers and booleans as text, anything else empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return ""


def parse_options(raw: str) -> SubscriptionOptions:
    """The `options` query parameter of a subscription string; malformed JSON means no options, as in PocketBase."""
    try:
        decoded = json.loads(raw) if raw else {}
    except ValueError:
        decoded = {}
    if not isinstance(decoded, dict):
        decoded = {}
    query = decoded.get("query")
    headers = decoded.get("headers")
    query = query if isinstance(query, dict) else {}
    headers = headers if isinstance(headers, dict) else {}
    return SubscriptionOptions(query={str(k): _as_text(v) for k, v in query.items()},
                               headers={_snake(str(k)): _as_text(v) for k, v in headers.items()})


def parse_topic(raw: str) -> Topic:
    """The topic and options of one subscription string; raises TopicError for what no rule could govern."""
    if not raw or len(raw) > MAX_SUBSCRIPTION_LENGTH:
        raise TopicError(f"A subscription must have 1 to {MAX_SUBSCRIPTION_LENGTH} characters.")
    base, _, query = raw.partition("?")
    options = parse_options((parse_qs(urlsplit("?" + query).query).get("options") or [""])[0]) if query else \
        SubscriptionOptions()
    if base.startswith(CHANNEL_PREFIX):
        name = base[len(CHANNEL_PREFIX):]
        if not _CHANNEL_NAME.match(name):
            raise TopicError("Channel names have 1 to 100 letters, digits, or the characters _ . : -")
        return Topic(raw=raw, kind="channel", channel=name, options=options)
    collection, slash, record_id = base.partition("/")
    if not collection or "/" in record_id or (slash and not record_id):
        raise TopicError("Topics are <collection>, <collection>/* or <collection>/<recordId>.")
    if not slash or record_id == "*":
        return Topic(raw=raw, kind="collection", collection=collection, options=options)
    return Topic(raw=raw, kind="record", collection=collection, record_id=record_id, options=options)
