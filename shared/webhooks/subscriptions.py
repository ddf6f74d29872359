"""The subscriptions as deliveries see them: `_webhooks` records with their signing keys, cached per instance.

Each instance re-reads the subscriptions (one list of `_webhooks`, one Query of the secrets) at most every
`CACHE_SECONDS`, so a change made through the API reaches deliveries within that time. A disable decided by
a delivery (410, failing too long) is applied to the cache at once as well.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import msgspec
from msgspec.structs import replace

from shared.tools.filter import Expr
from shared.webhooks.patterns import any_matches
from shared.webhooks.record_filter import compile_filter, record_matches
from shared.webhooks.secret_store import SecretStore
from shared.webhooks.secrets import SigningKeys

CACHE_SECONDS = 2.0
WEBHOOKS_COLLECTION = "_webhooks"
# PocketBase's page maximum: subscriptions are few, one page reads them all.
MAX_SUBSCRIPTIONS = 1000


class SubscriptionRecords(Protocol):
    """The `_webhooks` records, read and changed as the system (a superuser without a token)."""

    def all(self) -> list[dict[str, Any]]: ...

    def update(self, webhook_id: str, body: dict[str, Any]) -> None: ...


class ScopeSubscriptionRecords:
    """Through the records engine, with its validation and hooks, as any system write."""

    def __init__(self, scope_factory: Callable[[], Any]) -> None:
        self._scope = scope_factory

    def all(self) -> list[dict[str, Any]]:
        page = self._scope().reader.list_page(WEBHOOKS_COLLECTION, {
            "perPage": str(MAX_SUBSCRIPTIONS), "skipTotal": "1", "sort": "created"})
        return list(page["items"])

    def update(self, webhook_id: str, body: dict[str, Any]) -> None:
        self._scope().writer.update(WEBHOOKS_COLLECTION, webhook_id, body)


class Subscription(msgspec.Struct, frozen=True):
    id: str
    url: str
    events: tuple[str, ...]
    filter: Expr | None
    headers: dict[str, str]
    enabled: bool
    failing_since: str
    keys: SigningKeys | None

    @staticmethod
    def from_record(record: dict[str, Any], keys: SigningKeys | None) -> Subscription:
        events = record.get("events") if isinstance(record.get("events"), list) else []
        headers = record.get("headers") if isinstance(record.get("headers"), dict) else {}
        try:
            expr = compile_filter(str(record.get("filter") or ""))
        except Exception:  # validated on save; an unreadable one matches nothing rather than everything
            events = []
            expr = None
        return Subscription(id=str(record["id"]), url=str(record.get("url") or ""),
                            events=tuple(str(e) for e in events or []), filter=expr,
                            headers={str(k): str(v) for k, v in (headers or {}).items()},
                            enabled=bool(record.get("enabled")), failing_since=str(record.get("failingSince") or ""),
                            keys=keys)

    def wants(self, event_type: str, collection_name: str, record: dict[str, Any] | None) -> bool:
        """Whether this subscription gets the event: enabled, a pattern matches, the filter holds."""
        if not self.enabled or not any_matches(list(self.events), event_type, collection_name):
            return False
        if event_type.startswith("record."):
            return record_matches(self.filter, record)
        return self.filter is None


class SubscriptionDirectory:
    """Every subscription of the app, cached for CACHE_SECONDS."""

    def __init__(self, records: SubscriptionRecords, secrets: SecretStore, ttl_s: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.records = records
        self.secrets = secrets
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, Subscription] | None = None
        self._loaded_at = 0.0

    def all(self) -> list[Subscription]:
        with self._lock:
            if self._cache is None or self._clock() - self._loaded_at >= self._ttl_s:
                keys = self.secrets.all()
                self._cache = {r["id"]: Subscription.from_record(r, keys.get(r["id"]))
                               for r in self.records.all()}
                self._loaded_at = self._clock()
            return list(self._cache.values())

    def get(self, webhook_id: str) -> Subscription | None:
        found = next((s for s in self.all() if s.id == webhook_id), None)
        if found is None or found.keys is None:
            self.invalidate()  # created since the last read, or its secret was stored after it
            found = next((s for s in self.all() if s.id == webhook_id), None)
        return found

    def matching(self, event_type: str, collection_name: str, record: dict[str, Any] | None) -> list[Subscription]:
        if collection_name == WEBHOOKS_COLLECTION:
            return []  # the subscriptions' own changes (a disable, a failing mark) are never delivered
        return [s for s in self.all() if s.wants(event_type, collection_name, record)]

    def note(self, webhook_id: str, **changes: Any) -> None:
        """Apply a change this instance just wrote, without waiting for the next read."""
        with self._lock:
            if self._cache and webhook_id in self._cache:
                self._cache[webhook_id] = replace(self._cache[webhook_id], **changes)

    def invalidate(self) -> None:
        with self._lock:
            self._cache = None
