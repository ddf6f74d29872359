"""One request's log, built from what the request did and the runtime log settings, as PocketBase builds it.

PocketBase (apis/middlewares.go, logRequest) logs every request once it is answered: level INFO, or ERROR
with `error` and `details` when the route failed; nothing at all when `logs.maxDays` is 0 (retention off) or
the level is under `logs.minLevel`; `authId` only with `logs.logAuthId`, `userIP`/`remoteIP` only with
`logs.logIP`. Methods are cut at 50 characters, the URL at 3,000, referer and user agent at 2,000.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import msgspec

from shared.app_settings.model import LogsSettings
from shared.logs.model import LEVEL_ERROR, LEVEL_INFO, LogEntry, new_log_id

MAX_METHOD = 50
MAX_URL = 3000
MAX_HEADER_TEXT = 2000
# PocketBase's fallback when logs.maxDataSize is 0: "~16KB" of serialized data.
DEFAULT_MAX_DATA_SIZE = 16 * 1024
# What is never shortened to fit maxDataSize: the fields the dashboard and the filters rely on.
_KEPT_WHOLE = frozenset({"type", "method", "status", "execTime", "auth", "authId", "userIP", "remoteIP"})


class RequestFacts(msgspec.Struct, frozen=True):
    """What one answered request was: read by the HTTP middleware, free of any framework."""

    method: str
    url: str  # the request URI as sent: path and query, percent-encoded
    status: int
    exec_ms: float
    created_ms: int  # when the request was answered, the log's `created`
    auth_collection: str = ""
    auth_id: str = ""
    remote_ip: str = ""
    user_ip: str = ""
    referer: str = ""
    user_agent: str = ""
    # Set when the answer is an error (status >= 400): its message and its `data` (None when empty).
    error: str | None = None
    details: Any = None


def build_request_log(facts: RequestFacts, settings: LogsSettings) -> LogEntry | None:
    """The log PocketBase would write for this request, or None when it writes none."""
    if settings.max_days <= 0:
        return None  # no retention, no logs
    level = LEVEL_ERROR if facts.error is not None else LEVEL_INFO
    if level < settings.min_level:
        return None
    method = facts.method.upper()[:MAX_METHOD]
    url = facts.url[:MAX_URL]
    data: dict[str, Any] = {"type": "request", "execTime": facts.exec_ms}
    if facts.error is not None:
        data["error"] = facts.error
        data["details"] = facts.details
    data.update({"url": url, "method": method, "status": facts.status,
                 "referer": facts.referer[:MAX_HEADER_TEXT], "userAgent": facts.user_agent[:MAX_HEADER_TEXT],
                 "auth": facts.auth_collection})
    if facts.auth_collection and settings.log_auth_id:
        data["authId"] = facts.auth_id
    if settings.log_ip:
        data["userIP"] = facts.user_ip
        data["remoteIP"] = facts.remote_ip
    data = fit_data(data, settings.max_data_size or DEFAULT_MAX_DATA_SIZE)
    # The message shows the URI unescaped, as PocketBase's does (url.PathUnescape).
    return LogEntry(id=new_log_id(facts.created_ms), created_ms=facts.created_ms, level=level,
                    message=f"{method} {unquote(url)}", data=dict(sorted(data.items())))


def expires_at(entry: LogEntry, max_days: int) -> int:
    """The epoch second DynamoDB's TTL may delete the log: `logs.maxDays` after it was created."""
    return entry.created_ms // 1000 + max_days * 86_400


def fit_data(data: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """`data` whose JSON fits `max_bytes`, on a best-effort basis as PocketBase: the longest texts are cut
    first (details serialized to text when it is the culprit), the fields filters rely on never."""
    if _size(data) <= max_bytes:
        return data
    fitted = dict(data)
    if not isinstance(fitted.get("details"), (str, type(None))):
        fitted["details"] = _json(fitted["details"])
    for key in sorted((k for k, v in fitted.items() if isinstance(v, str) and k not in _KEPT_WHOLE),
                      key=lambda k: -len(fitted[k])):
        excess = _size(fitted) - max_bytes
        if excess <= 0:
            break
        value: str = fitted[key]
        fitted[key] = value[:max(0, len(value) - excess)]
    return fitted


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _size(value: Any) -> int:
    return len(_json(value).encode())
