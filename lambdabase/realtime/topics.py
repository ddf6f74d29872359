"""Subscription strings as PocketBase's JS SDK builds them, so every client of one server names topics alike.

`subscription_key("posts/*", {"query": {"filter": "n > 1"}})` is
`posts/*?options=%7B%22query%22%3A%7B%22filter%22%3A%22n%20%3E%201%22%7D%7D`: JSON.stringify's compact
JSON, URL-encoded as encodeURIComponent does. The server sends events back under that exact string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# The characters encodeURIComponent leaves as they are.
_URI_COMPONENT_SAFE = "-_.!~*'()"


def encode_uri_component(text: str) -> str:
    return quote(text, safe=_URI_COMPONENT_SAFE)


def options_of(query: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
               **params: Any) -> dict[str, Any] | None:
    """The `{query, headers}` of a subscription: keyword parameters (filter, expand, fields, ...) join `query`,
    as the JS SDK moves unknown options into it. None when nothing was given (a bare topic)."""
    if query is None and headers is None and not params:
        return None
    merged = {**(query or {}), **{k: v for k, v in params.items() if v is not None}}
    options: dict[str, Any] = {"query": merged}
    if headers is not None:
        options["headers"] = dict(headers)
    return options


def subscription_key(topic: str, options: Mapping[str, Any] | None = None) -> str:
    """`topic`, plus `?options=` and its encoded JSON when there are options."""
    if options is None:
        return topic
    serialized = json.dumps(dict(options), separators=(",", ":"), ensure_ascii=False)
    return topic + ("&" if "?" in topic else "?") + "options=" + encode_uri_component(serialized)


def keys_of_topic(keys: list[str], topic: str) -> list[str]:
    """The subscription strings of `topic`, with any options (`?` ends a topic, so `posts/*` is not `posts/*x`)."""
    prefix = topic if "?" in topic else topic + "?"
    return [key for key in keys if (key + "?").startswith(prefix)]
