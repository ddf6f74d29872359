"""An in-memory realtime world: collections, users and tokens, the subscription store and a sender, no AWS."""

from __future__ import annotations

import json
import time
from typing import Any

from shared.app_settings import provider
from shared.app_settings.model import AppSettings, ChannelRuleSettings, RealtimeAppSettings
from shared.auth.api_tokens_repository import InMemoryApiTokenRepository
from shared.auth.caller import Authenticator, token_key_of
from shared.auth.keyring import parse_keyring
from shared.auth.refresh_models import RefreshFamily
from shared.auth.refresh_repository import InMemoryRefreshFamilyRepository, RefreshFamilyRepository
from shared.auth.tokens import TokenService
from shared.catalog.layout import plan_layout
from shared.catalog.repository import CollectionRepository, InMemoryCollectionRepository, StoredCollection
from shared.collections.validate import validate_collection
from shared.realtime import protocol
from shared.realtime.deps import RealtimeDeps
from shared.realtime.sender import InMemorySender
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore, SubscriptionStore
from shared.records.context import RequestContext
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import StoredRecord
from shared.records.repository import RecordRepository
from shared.records.rules import check_rule
from shared.records.scope import RecordScope

SECRET = "realtime-unit-secret-0123456789abcdef"
PASSWORD = "Passw0rd-long-enough"
# `room-*`: anyone subscribes, signed-in users publish, presence on
DEFAULT_CHANNEL = ChannelRuleSettings(pattern="room-*", subscribe_rule="", publish_rule="@request.auth.id != ''",
                                      presence=True)


class RealtimeWorld:
    """One app: `posts` (public list), `users` with alice and bob, a superuser, and channel rules as given."""

    def __init__(self, collections: CollectionRepository | None = None, records: RecordRepository | None = None,
                 families: RefreshFamilyRepository | None = None, store: SubscriptionStore | None = None) -> None:
        """In memory by default; the integration suite passes the DynamoDB implementations (on moto)."""
        self.collections = collections or InMemoryCollectionRepository()
        self.records = records or InMemoryRecordRepository(self.collections.shard_count)
        self.families = families or InMemoryRefreshFamilyRepository()
        self.api_tokens = InMemoryApiTokenRepository()
        self.tokens = TokenService(parse_keyring(SECRET), clock=lambda: self.now)
        self.reset(store)
        self._collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "",
                          "fields": [{"name": "title", "type": "text"}]})
        self.users: dict[str, StoredRecord] = {}
        for name in ("alice", "bob"):
            self.users[name] = self._create("users", {"email": f"{name}@example.com", "password": PASSWORD,
                                                      "passwordConfirm": PASSWORD, "name": name})
        self.users["root"] = self._create("_superusers", {"email": "root@example.com", "password": PASSWORD,
                                                          "passwordConfirm": PASSWORD})
        self.channels(DEFAULT_CHANNEL)

    @classmethod
    def in_memory(cls) -> RealtimeWorld:
        """The in-memory world, its users made once per process (argon2 hashes cost a second a world), with a
        fresh store, sender, clock and channel rules each time it is asked for."""
        global _shared
        if _shared is None:
            _shared = cls()
        else:
            _shared.reset()
        return _shared

    def reset(self, store: SubscriptionStore | None = None) -> None:
        """No connections, nothing sent, the clock at now, the default channel rules."""
        self.now = time.time()
        self.store = store or InMemorySubscriptionStore()
        self.sender = InMemorySender()
        authenticator = Authenticator(self.tokens, self.collections, self.records, self.families, self.api_tokens)
        self.deps = RealtimeDeps.of(self.store, self.collections, authenticator, self.sender,
                                    clock=lambda: self.now)
        if hasattr(self, "users"):
            self.channels(DEFAULT_CHANNEL)

    def _collection(self, body: dict[str, Any]) -> None:
        def find(id_or_name: str) -> Any:
            stored = self.collections.find(id_or_name)
            return stored.collection if stored else None

        collection = validate_collection(body, existing=None, find_collection=find, check_rule=check_rule)
        self.collections.save(StoredCollection(collection=collection,
                                               layout=plan_layout(collection, None, has_records=False)))

    def _create(self, collection: str, body: dict[str, Any]) -> StoredRecord:
        scope = RecordScope(self.collections, self.records, RequestContext(method="POST", system=True))
        return scope.writer.create(collection, body).record

    def channels(self, *rules: ChannelRuleSettings, superuser_ips: tuple[str, ...] = ()) -> None:
        provider.use_source(provider.MemorySettingsSource(AppSettings(
            realtime=RealtimeAppSettings(channels=rules), superuser_ips=superuser_ips)))

    def token(self, who: str, *, duration_s: int = 3600, session: str | None = None) -> str:
        record = self.users[who]
        collection = self.collections.get(record.collection_id).collection
        extra = {"sid": session} if session else None
        return self.tokens.issue_token("auth", record.id, collection.id, token_key_of(collection, record.data),
                                       duration_s, extra)

    def session(self, who: str, session_id: str) -> None:
        record = self.users[who]
        now = int(self.now)
        if self.families.get(session_id) is not None:
            return  # made by an earlier test of the shared in-memory world
        self.families.create(RefreshFamily(id=session_id, record_id=record.id, collection_id=record.collection_id,
                                           created=now, last_used=now, expires_at=now + 86400, current_hash="h",
                                           rotated_at=now))

    def change_password(self, who: str) -> None:
        """A password change gives the record a new tokenKey, which ends every token it had."""
        record = self.users[who]
        scope = RecordScope(self.collections, self.records, RequestContext(method="PATCH", system=True))
        new = PASSWORD + "-changed"
        self.users[who] = scope.writer.update(record.collection_id, record.id,
                                              {"password": new, "passwordConfirm": new}).record

    def connect(self, cid: str, ip: str = "127.0.0.1") -> None:
        protocol.on_connect(self.deps, Connection(connection_id=cid, connected_at=int(self.now), source_ip=ip))

    def send(self, cid: str, **message: Any) -> dict[str, Any]:
        """Send one message from `cid`; returns its reply (the last message sent to `cid`)."""
        protocol.on_message(self.deps, cid, json.dumps(message))
        return self.received(cid)[-1]

    def received(self, cid: str) -> list[dict[str, Any]]:
        return [m for c, m in self.sender.sent if c == cid]

    def clear(self) -> None:
        self.sender.sent.clear()


_shared: RealtimeWorld | None = None
