"""Turns both sides' JSON answers into comparable values: ids, timestamps, tokens, secrets become placeholders.

Everything else is compared exactly. The only keys dropped are Lambdabase's documented extras
(docs/compatibility.md), and only where PocketBase's answer lacks them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

JWT = re.compile(r"^eyJ[\w-]*\.[\w-]*\.[\w-]*$")
# PocketBase's own datetime format; a server-written timestamp in any other format stays and fails the comparison.
SERVER_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$")
RECORD_ID = re.compile(r"^[a-z0-9]{15}$")
COLLECTION_ID = re.compile(r"^pbc_\d+$")
SECRET_KEYS = frozenset({"secret", "clientSecret", "tokenKey"})
# Top-level keys of Lambdabase answers that docs/compatibility.md documents as deliberate extras.
# `realtime`: the settings' additive channel rules (docs/api-realtime.md#channels).
# `audit`: the audit log's retention (docs/api-audit.md).
# `webhooks`: how webhook deliveries retry (docs/api-webhooks.md).
# `forms`: the captcha providers of public forms (docs/api-views.md#public-forms).
DOCUMENTED_EXTRAS = frozenset({"refreshToken", "realtime", "audit", "webhooks", "forms"})
# Keys of an answer's `data` object documented as extras: superusers' health's `lastBackup` (docs/admin-api.md).
DOCUMENTED_DATA_EXTRAS = frozenset({"lastBackup"})
# Timestamps within this distance of the test run are "written by the server now"; fixed test dates stay.
NOW_WINDOW = timedelta(days=1)


@dataclass
class IdNames:
    """One side's ids, named: the world's records by their given name, others by order of first appearance."""

    named: dict[str, str] = field(default_factory=dict)

    def name(self, value: str, placeholder: str) -> None:
        self.named[value] = placeholder


def is_recent_timestamp(value: str) -> bool:
    if not SERVER_DATETIME.match(value):
        return False
    moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%fZ").replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - moment) < NOW_WINDOW


class Normalizer:
    """Normalizes one answer of one side; `fresh` numbers the ids this answer is the first to show."""

    def __init__(self, ids: IdNames) -> None:
        self.ids = ids
        self.fresh: dict[str, str] = {}

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            # sorted keys: both sides meet unknown ids in the same order whatever their JSON key order
            return {k: self.value(value[k], k) for k in sorted(value)}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if not isinstance(value, str) or value == "":
            return value
        if key in SECRET_KEYS:
            return "<secret>"
        if value in self.ids.named:
            return self.ids.named[value]
        if JWT.match(value):
            return "<jwt>"
        if is_recent_timestamp(value):
            return "<now>"
        if RECORD_ID.match(value) or COLLECTION_ID.match(value):
            return self.fresh.setdefault(value, f"<new{len(self.fresh) + 1}>")
        return value


def _without_extras(body: dict[str, Any], reference: Any, extras: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if not (k in extras and isinstance(reference, dict) and k not in reference)}


def normalize(body: Any, ids: IdNames, *, reference: Any = None, unordered: tuple[str, ...] = ()) -> Any:
    """The comparable form of `body`; pass PocketBase's raw body as `reference` when normalizing Lambdabase's."""
    if isinstance(body, dict) and reference is not None:
        body = _without_extras(body, reference, DOCUMENTED_EXTRAS)
        if isinstance(body.get("data"), dict) and isinstance(reference, dict):
            body["data"] = _without_extras(body["data"], reference.get("data"), DOCUMENTED_DATA_EXTRAS)
    result = Normalizer(ids).value(body)
    for path in unordered:
        _sort_at(result, path.split("."))
    return result


def _sort_at(value: Any, path: list[str]) -> None:
    """Sort the list at a dotted path in place (an unordered scenario compares it as a set)."""
    if not path or not isinstance(value, dict) or path[0] not in value:
        return
    if len(path) == 1 and isinstance(value[path[0]], list):
        value[path[0]] = sorted(value[path[0]], key=lambda v: json.dumps(v, sort_keys=True))
    elif path[0] == "*":
        for item in value.values():
            _sort_at(item, path[1:])
    else:
        inner = value[path[0]]
        for item in inner if isinstance(inner, list) else [inner]:
            _sort_at(item, path[1:])


def as_text(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)


def parse(content: bytes, content_type: str | None) -> Any:
    """JSON if the body is JSON, otherwise the text itself (so a non-JSON answer still compares)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return {"<non-json>": content.decode(errors="replace")[:500], "<content-type>": (content_type or "")}

