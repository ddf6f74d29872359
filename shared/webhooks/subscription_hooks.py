"""Record hooks of `_webhooks`: what a subscription may hold, and its signing secret, readable once.

- validate (create, update): the URL (http or https with a host), the event patterns, the filter, the headers
  (an object of texts, none that deliveries set themselves), and a secret a superuser chose on create;
- before create: the secret (`whsec_` + base64 of 24 random bytes, unless one was given) goes to the secret
  store, the record's hidden `secret` field is stored empty, and `enabled` defaults to true;
- after create: the field carries the secret in the create response, the only time it is shown;
- failed create, after delete: the stored secret is removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from shared.records.hooks import RecordEvent, RecordHooks
from shared.webhooks.patterns import MAX_PATTERNS, pattern_error
from shared.webhooks.record_filter import filter_error
from shared.webhooks.secret_store import SecretStore
from shared.webhooks.secrets import SigningKeys, new_secret, secret_error

WEBHOOKS_COLLECTION = "_webhooks"
# Set by every delivery; a subscription's own headers may not replace them.
RESERVED_HEADERS = frozenset({"webhook-id", "webhook-timestamp", "webhook-signature", "content-type",
                              "content-length", "host", "user-agent", "transfer-encoding", "connection"})
MAX_HEADERS = 20


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _as_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _url_error(value: Any) -> dict[str, str] | None:
    parts = urlsplit(str(value or ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _error("validation_invalid_webhook_url", "Must be an http or https URL with a host.")
    return None


def _events_error(value: Any) -> dict[str, str] | None:
    patterns = _as_json(value)
    if not isinstance(patterns, list) or not patterns:
        return _error("validation_invalid_event_pattern", "Must be a non-empty list of event patterns.")
    if len(patterns) > MAX_PATTERNS:
        return _error("validation_invalid_event_pattern", f"At most {MAX_PATTERNS} patterns.")
    for pattern in patterns:
        problem = pattern_error(pattern)
        if problem:
            return _error("validation_invalid_event_pattern", problem)
    return None


def _headers_error(value: Any) -> dict[str, str] | None:
    headers = _as_json(value)
    if headers in (None, ""):
        return None
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        return _error("validation_invalid_headers", "Must be an object of header names to text values.")
    if len(headers) > MAX_HEADERS:
        return _error("validation_invalid_headers", f"At most {MAX_HEADERS} headers.")
    for name, header_value in headers.items():
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            return _error("validation_invalid_headers", f"Invalid header name {name!r}.")
        if name.lower() in RESERVED_HEADERS:
            return _error("validation_invalid_headers", f"The header {name} is set by every delivery.")
        if "\r" in header_value or "\n" in header_value:
            return _error("validation_invalid_headers", f"The value of {name} has a line break.")
    return None


def validate_subscription(event: RecordEvent) -> dict[str, Any]:
    body = event.body
    creating = event.action == "create"
    errors: dict[str, Any] = {}
    checks: dict[str, Callable[[Any], dict[str, str] | None]] = {
        "url": _url_error, "events": _events_error, "headers": _headers_error}
    for name, check in checks.items():
        if name in body or (creating and name in ("url", "events")):
            problem = check(body.get(name))
            if problem:
                errors[name] = problem
    if "filter" in body and (problem_text := filter_error(str(body.get("filter") or ""))):
        errors["filter"] = _error("validation_invalid_filter", problem_text)
    if body.get("secret"):
        if not creating:
            errors["secret"] = _error("validation_secret_read_only",
                                      "Rotate the secret with POST /api/webhooks/{id}/rotate-secret.")
        elif problem_text := secret_error(body["secret"]):
            errors["secret"] = _error("validation_invalid_secret", problem_text)
    return errors


class SecretOnce:
    """The create hooks that keep the secret out of the record and show it in the create response only."""

    def __init__(self, store: Callable[[], SecretStore]) -> None:
        self._store = store
        self._shown: dict[int, str] = {}

    def _field_id(self, event: RecordEvent, name: str) -> str:
        found = event.collection.field_by_name(name)
        return found.id if found else name

    def before_create(self, event: RecordEvent) -> None:
        secret_id = self._field_id(event, "secret")
        secret = str(event.record.data.get(secret_id) or "") or new_secret()
        self._store().put(event.record.id, SigningKeys(current=secret))
        event.record.data[secret_id] = ""
        if "enabled" not in event.body:
            event.record.data[self._field_id(event, "enabled")] = True
        self._shown[id(event.record)] = secret

    def after_create(self, event: RecordEvent) -> None:
        secret = self._shown.pop(id(event.record), None)
        if secret:
            # the committed item holds "", this is the response's copy: the one time the secret is shown
            event.record.data[self._field_id(event, "secret")] = secret

    def failed_create(self, event: RecordEvent) -> None:
        self._shown.pop(id(event.record), None)
        self._store().delete(event.record.id)

    def after_delete(self, event: RecordEvent) -> None:
        self._store().delete(event.record.id)


def register_webhook_hooks(hooks: RecordHooks, store: Callable[[], SecretStore]) -> None:
    once = SecretOnce(store)
    only = (WEBHOOKS_COLLECTION,)
    hooks.on("validate", validate_subscription, actions=("create", "update"), collections=only)
    hooks.on("before", once.before_create, actions=("create",), collections=only)
    hooks.on("after", once.after_create, actions=("create",), collections=only)
    hooks.on("failed", once.failed_create, actions=("create",), collections=only)
    hooks.on("after", once.after_delete, actions=("delete",), collections=only)
