"""Event patterns of a subscription (`posts.*`, `*.deleted`, `record.*`, `auth.signin`) and how events match them.

An event is known by its type (`record.created`, `auth.signin`, `webhook.disabled`) and, for a record event,
also by `<collection name>.<action>` (`posts.created`). A pattern is `*` (every event) or two segments
`<scope>.<action>`, each a name or `*` (any one segment). A pattern matches an event when it matches any of
the event's names, so `*.deleted` matches every record delete and `posts.*` every event of `posts` records.
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"^(\*|[A-Za-z0-9_]{1,100})$")
RECORD_EVENT_PREFIX = "record."
MAX_PATTERNS = 50


def pattern_error(pattern: object) -> str | None:
    """Why a pattern is invalid, or None."""
    if not isinstance(pattern, str) or not pattern:
        return "Each event pattern must be a non-empty text."
    if pattern == "*":
        return None
    parts = pattern.split(".")
    if len(parts) != 2 or not all(_SEGMENT.match(p) for p in parts):
        return f"Invalid event pattern {pattern!r}: expected <scope>.<action>, each a name or *."
    return None


def event_names(event_type: str, collection_name: str = "") -> tuple[str, ...]:
    """The names an event answers to: its type, and `<collection>.<action>` for a record event."""
    if event_type.startswith(RECORD_EVENT_PREFIX) and collection_name:
        return event_type, f"{collection_name}.{event_type[len(RECORD_EVENT_PREFIX):]}"
    return (event_type,)


def _segment_matches(pattern: str, name: str) -> bool:
    return pattern == "*" or pattern == name


def matches(pattern: str, names: tuple[str, ...]) -> bool:
    """Whether one pattern matches an event known by these names."""
    if pattern == "*":
        return True
    scope, _, action = pattern.partition(".")
    for name in names:
        name_scope, _, name_action = name.partition(".")
        if _segment_matches(scope, name_scope) and _segment_matches(action, name_action):
            return True
    return False


def any_matches(patterns: list[str], event_type: str, collection_name: str = "") -> bool:
    names = event_names(event_type, collection_name)
    return any(matches(p, names) for p in patterns)
