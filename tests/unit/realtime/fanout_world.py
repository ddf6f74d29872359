"""An in-memory fan-out world: collections and records, a subscription store filled directly, a fake sender."""

from __future__ import annotations

import time
from typing import Any

from shared.auth.api_tokens_repository import InMemoryApiTokenRepository
from shared.auth.caller import token_key_of
from shared.auth.refresh_models import RefreshFamily
from shared.auth.refresh_repository import InMemoryRefreshFamilyRepository
from shared.changes.model import Action, RecordChange
from shared.realtime.fanout import FanOut, FanOutReport
from shared.realtime.fanout_delivery import Deliverer
from shared.realtime.fanout_ledger import InMemoryDeliveryLedger
from shared.realtime.sender import InMemorySender
from shared.realtime.subscriptions import Connection, InMemorySubscriptionStore, RealtimeAuth, Target, key_hash
from shared.realtime.topics import parse_topic
from shared.records.model import ReadMeter, StoredRecord
from tests.unit.records.rules_world import PASSWORD, World


class FanOutWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.store = InMemorySubscriptionStore()
        self.sender = InMemorySender()
        self.families = InMemoryRefreshFamilyRepository()
        self.api_tokens = InMemoryApiTokenRepository()
        self.ledger = InMemoryDeliveryLedger()
        self.deliverer = Deliverer(self.sender, self.store, workers=4, batch_size=8, sleep=lambda _s: None)
        self.fanout = FanOut(self.store, self.collections, self.records, self.families, self.sender,
                             self.deliverer, self.ledger, api_tokens=self.api_tokens)
        self.sequence = 100

    def user(self, collection: str, name: str, **extra: Any) -> StoredRecord:
        return self.record(collection, {"email": f"{name}@x.com", "password": PASSWORD,
                                        "passwordConfirm": PASSWORD, **extra})

    def auth_of(self, record: StoredRecord, *, expires_in: int = 3600, session_id: str | None = None,
                token_key: str | None = None) -> RealtimeAuth:
        """A RealtimeAuth as the protocol keeps it after verifying a token of this record."""
        collection = self.collections.get(record.collection_id).collection
        key = token_key if token_key is not None else token_key_of(collection, record.data)
        return RealtimeAuth(collection_id=collection.id, record_id=record.id,
                            expires_at=int(time.time()) + expires_in, key_hash=key_hash(key), session_id=session_id)

    def session(self, record: StoredRecord, family_id: str, *, revoked: bool = False) -> str:
        now = int(time.time())
        self.families.create(RefreshFamily(id=family_id, record_id=record.id, collection_id=record.collection_id,
                                           created=now, last_used=now, expires_at=now + 3600, current_hash="h",
                                           rotated_at=now, revoked=revoked))
        return family_id

    def connect(self, connection_id: str, auth: RealtimeAuth | None = None, *topics: str) -> None:
        """Open a connection with this auth and these subscription strings, as the protocol stores them."""
        self.store.open(Connection(connection_id=connection_id, connected_at=1))
        self.store.set_auth(connection_id, auth)
        resolved = []
        for raw in topics:
            topic = parse_topic(raw)
            collection = self.collections.get(topic.collection).collection
            resolved.append((raw, Target(collection_id=collection.id, record_id=topic.record_id)))
        self.store.subscribe(connection_id, resolved)

    def change(self, action: Action, record: StoredRecord, old: StoredRecord | None = None) -> RecordChange:
        """The stream's view of a write: images with the stored item's `c`, `sk`, `d`, `v`."""
        self.sequence += 1

        def image(r: StoredRecord | None) -> dict[str, Any] | None:
            return None if r is None else {"c": r.collection_id, "sk": r.id, "d": dict(r.data), "v": r.version}

        return RecordChange(action=action, collection_id=record.collection_id, record_id=record.id,
                            sequence_number=str(self.sequence), write_shard=0,
                            new_image=None if action == "delete" else image(record),
                            old_image=image(old if old is not None else (record if action == "delete" else None)))

    def current(self, collection: str, record_id: str) -> StoredRecord:
        found = self.records.get(self.collections.get(collection).collection.id, record_id, ReadMeter())
        assert found is not None
        return found

    def publish(self, *changes: RecordChange) -> FanOutReport:
        return self.fanout.handle(list(changes))

    def events(self, connection_id: str) -> list[dict[str, Any]]:
        return self.sender.to(connection_id)
