"""The one line a request's log becomes on its function's log stream, and how it is read back.

Writing the log is not a DynamoDB write on the request path: the function prints one JSON line to stdout, which
Lambda ships to the function's CloudWatch log group after the invocation, and a subscription filter matching
`REQUEST_LOG_FILTER_PATTERN` delivers those lines in batches to the `logwriter` function, which stores them
(docs/admin-api.md, Logs). The line goes through its own `logging` logger, so that the local stack can take
the same lines from it (local/log_subscriptions.py) where Lambda would take stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from shared.logs.model import LogEntry
from shared.logs.repository import StoredLog
from shared.runtime_resources import REQUEST_LOG_MARKER

LOGGER_NAME = "lambdabase.request_log"


class _Stdout(logging.Handler):
    """The bare line on whatever `sys.stdout` is when it is written (Lambda's stdout, or a test's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.write(record.getMessage() + "\n")


def _request_logger() -> logging.Logger:
    log = logging.getLogger(LOGGER_NAME)
    if not log.handlers:
        log.addHandler(_Stdout())
        log.setLevel(logging.INFO)
        # Only the bare line: a root handler (Lambda's, Powertools') would wrap it and break the filter pattern.
        log.propagate = False
    return log


def request_log_line(stored: StoredLog) -> str:
    """`{"lbLog": "request", "log": {...}}`: what the subscription filter matches and the writer parses."""
    return json.dumps({REQUEST_LOG_MARKER[0]: REQUEST_LOG_MARKER[1], "log": _stored_shape(stored)},
                      separators=(",", ":"), ensure_ascii=False)


def emit(stored: StoredLog) -> None:
    """Hand the log to the function's log stream (stdout on Lambda)."""
    _request_logger().info(request_log_line(stored))


def parse_request_log_line(line: str) -> StoredLog | None:
    """The log a request log line carries, or None for any other line (or a damaged one)."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get(REQUEST_LOG_MARKER[0]) != REQUEST_LOG_MARKER[1]:
        return None
    log = value.get("log")
    if not isinstance(log, dict):
        return None
    try:
        entry = LogEntry(id=str(log["id"]), created_ms=int(log["createdMs"]), level=int(log["level"]),
                         message=str(log["message"]), data=dict(log["data"]))
        return StoredLog(entry, int(log["expiresAt"]))
    except (KeyError, TypeError, ValueError):
        return None


def _stored_shape(stored: StoredLog) -> dict[str, Any]:
    entry = stored.entry
    return {"id": entry.id, "createdMs": entry.created_ms, "level": entry.level, "message": entry.message,
            "data": entry.data, "expiresAt": stored.expires_at}
