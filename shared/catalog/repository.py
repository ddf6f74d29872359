"""Data access for collections: an interface, a DynamoDB and an in-memory implementation, with a short cache."""

import json
import threading
import time
from abc import ABC, abstractmethod
from functools import cache

from pydantic import BaseModel

from shared.aws import client
from shared.catalog.layout import CollectionLayout
from shared.collections.model import Collection
from shared.errors import BadRequestError, NotFoundError
from shared.records.keys import LEGACY_SHARDS

# Other Lambdas see a schema change within this many seconds; a miss always reloads at once.
CACHE_SECONDS = 2.0
CATALOG_PK = "collections"
SYSTEM_COLLECTION_NAMES = frozenset({"_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers",
                                     "_webhooks", "_roles", "_views"})


class StoredCollection(BaseModel):
    collection: Collection
    layout: CollectionLayout


class CollectionNotFoundError(NotFoundError):
    default_message = "Missing collection context."


class CollectionExistsError(BadRequestError):
    """A new collection whose id a racing create stored first: answered as the name check answers a taken name."""

    def __init__(self) -> None:
        super().__init__("Failed to create collection.", {"name": {
            "code": "validation_collection_name_exists",
            "message": "Collection name must be unique (case insensitive)."}})


class CollectionRepository(ABC):
    """All collections of the app; small enough to load whole and look up by id or name."""

    def __init__(self) -> None:
        self._cache: dict[str, StoredCollection] | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    @abstractmethod
    def _load_all(self) -> list[StoredCollection]: ...

    @abstractmethod
    def _put(self, stored: StoredCollection) -> None: ...

    @abstractmethod
    def _delete(self, collection_id: str) -> None: ...

    @abstractmethod
    def _put_if_absent(self, stored: StoredCollection) -> bool:
        """Write unless a collection with its id is stored; whether it was written."""

    def all(self, *, fresh: bool = False) -> list[StoredCollection]:
        with self._lock:
            if fresh or self._cache is None or time.monotonic() - self._loaded_at > CACHE_SECONDS:
                loaded = self._load_all()
                present = {s.collection.name for s in loaded if s.collection.system}
                if not present >= SYSTEM_COLLECTION_NAMES:
                    loaded = self._bootstrap(fresh=not present)
                self._cache = {s.collection.id: s for s in loaded}
                self._loaded_at = time.monotonic()
            return list(self._cache.values())

    def _bootstrap(self, *, fresh: bool) -> list[StoredCollection]:
        """Create the system collections (and, on a fresh catalog, `users`) as a new PocketBase does.

        A catalog from before a system collection existed gets just the missing ones; `users` is not
        system, so once deleted it stays deleted.
        """
        from shared.catalog.layout import plan_layout
        from shared.collections.system import system_collections

        for collection in system_collections():
            if not (collection.system or fresh):
                continue
            self._put_if_absent(StoredCollection(collection=collection,
                                                 layout=plan_layout(collection, None, has_records=False)))
        return self._load_all()

    def find(self, id_or_name: str) -> StoredCollection | None:
        """By id, or by name case-insensitively, as PocketBase resolves {collectionIdOrName}."""
        for fresh in (False, True):
            for stored in self.all(fresh=fresh):
                c = stored.collection
                if c.id == id_or_name or c.name.lower() == id_or_name.lower():
                    return stored
        return None

    def shard_count(self, collection_id: str) -> int:
        """The write shard count of a collection's records (keys.ShardCounts), from its layout.

        A collection no longer in the catalog (deleted: a job or a stream consumer finishing its records)
        reads as LEGACY_SHARDS: a scan over 8 shards also finds a 2-shard collection's records, and a point
        read in the wrong shard finds nothing, which is what a deleted collection holds. Its truncation
        carries its own layout (shared/jobs/truncate.py)."""
        for fresh in (False, True):
            self.all(fresh=fresh)
            with self._lock:
                found = (self._cache or {}).get(collection_id)
            if found is not None:
                return found.layout.shards
        return LEGACY_SHARDS

    def get(self, id_or_name: str) -> StoredCollection:
        found = self.find(id_or_name)
        if found is None:
            raise CollectionNotFoundError()
        return found

    def save(self, stored: StoredCollection) -> None:
        self._put(stored)
        self.invalidate()

    def add(self, stored: StoredCollection) -> None:
        """Save a new collection; CollectionExistsError when one with its id was stored meanwhile (a racing
        create of the same name, whose generated id is the same), which a plain save would overwrite."""
        written = self._put_if_absent(stored)
        self.invalidate()
        if not written:
            raise CollectionExistsError()

    def delete(self, collection_id: str) -> None:
        self._delete(collection_id)
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._cache = None


class InMemoryCollectionRepository(CollectionRepository):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, str] = {}

    def _load_all(self) -> list[StoredCollection]:
        return [StoredCollection.model_validate_json(v) for v in self.items.values()]

    def _put(self, stored: StoredCollection) -> None:
        self.items[stored.collection.id] = _dump(stored)

    def _delete(self, collection_id: str) -> None:
        self.items.pop(collection_id, None)

    def _put_if_absent(self, stored: StoredCollection) -> bool:
        if stored.collection.id in self.items:
            return False
        self.items[stored.collection.id] = _dump(stored)
        return True


def _dump(stored: StoredCollection) -> str:
    from shared.collections.oauth2_secrets import default_cipher, sealed_storage_json

    # OAuth2 client secrets are sealed here, on their way to storage, whichever path saves the collection.
    return json.dumps({"collection": sealed_storage_json(stored.collection, default_cipher()),
                       "layout": stored.layout.model_dump(mode="json")})


class DynamoCollectionRepository(CollectionRepository):
    """Items `pk=collections, sk=<collection id>` in the system table: one small partition, read whole."""

    def __init__(self, table_name: str) -> None:
        super().__init__()
        self.table = table_name

    def _load_all(self) -> list[StoredCollection]:
        out: list[StoredCollection] = []
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                       ExpressionAttributeValues={":pk": {"S": CATALOG_PK}}, ConsistentRead=True):
            out.extend(StoredCollection.model_validate_json(item["doc"]["S"]) for item in page.get("Items", []))
        return out

    def _put(self, stored: StoredCollection) -> None:
        client("dynamodb").put_item(TableName=self.table, Item={
            "pk": {"S": CATALOG_PK}, "sk": {"S": stored.collection.id}, "doc": {"S": _dump(stored)}})

    def _put_if_absent(self, stored: StoredCollection) -> bool:
        ddb = client("dynamodb")
        try:  # another instance may have bootstrapped (or created) it first
            ddb.put_item(TableName=self.table, ConditionExpression="attribute_not_exists(pk)", Item={
                "pk": {"S": CATALOG_PK}, "sk": {"S": stored.collection.id}, "doc": {"S": _dump(stored)}})
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _delete(self, collection_id: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key={"pk": {"S": CATALOG_PK},
                                                                  "sk": {"S": collection_id}})


@cache
def get_collection_repository(table_name: str) -> CollectionRepository:
    return DynamoCollectionRepository(table_name)
