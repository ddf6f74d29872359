"""A collection's write shard count: 2 when it is created (any way), kept by every later save, 8 when stored
without one; the in-memory records follow it."""

from __future__ import annotations

from shared.catalog.layout import CollectionLayout
from shared.catalog.repository import StoredCollection
from shared.records import keys
from shared.records.importer import import_records
from shared.records.model import ReadMeter
from shared.records.planner import Plan
from tests.unit.jobs.world import FIELDS, World


def test_a_created_collection_gets_2_shards_and_keeps_them_through_updates() -> None:
    # Given a collection created through the API's service
    world = World()
    world.collection([{"code": "a", "n": 1}])
    assert world.stored().layout.shards == keys.NEW_COLLECTION_SHARDS
    # When it is updated: a field added, then an index on a collection with records
    fields = world.service.get("items").collection.to_api_json()["fields"]
    world.service.update("items", {"fields": [*fields, {"name": "extra", "type": "text"}]})
    world.set_indexes("CREATE INDEX idx_code ON items (code)")
    # Then its count is the one it was created with
    assert world.stored().layout.shards == keys.NEW_COLLECTION_SHARDS


def test_an_import_creates_new_collections_with_2_shards_and_keeps_an_existing_collections_count() -> None:
    # Given a collection stored before shard counts (its layout read as 8)
    world = World()
    world.collection([])
    old = world.stored()
    world.collections.save(StoredCollection(collection=old.collection,
                                            layout=CollectionLayout.model_validate({"indexes": []})))
    assert world.stored().layout.shards == keys.LEGACY_SHARDS
    # When an import brings it back changed, and a new collection beside it
    exported = old.collection.to_api_json()
    world.service.import_collections({"collections": [
        {**exported, "listRule": ""}, {"name": "fresh", "type": "base", "fields": FIELDS}]})
    # Then the existing one keeps 8 and the new one has 2
    assert world.stored().layout.shards == keys.LEGACY_SHARDS
    assert world.stored("fresh").layout.shards == keys.NEW_COLLECTION_SHARDS


def test_a_fresh_catalogs_system_collections_have_2_shards() -> None:
    # Given a fresh catalog
    world = World()
    # When it bootstraps its system collections (and `users`)
    stored = world.collections.all()
    # Then each has the new collections' count, and the catalog answers it by id
    assert stored and {s.layout.shards for s in stored} == {keys.NEW_COLLECTION_SHARDS}
    assert world.collections.shard_count(stored[0].collection.id) == keys.NEW_COLLECTION_SHARDS
    assert world.collections.shard_count("pbc_gone") == keys.LEGACY_SHARDS


def test_the_in_memory_records_read_a_collection_over_its_own_count() -> None:
    # Given a new collection and a collection stored before shard counts, each with 100 records
    world = World()
    world.collection([{"code": str(n), "n": n} for n in range(100)])
    world.collection([], name="older")
    older = world.stored("older")
    world.collections.save(StoredCollection(collection=older.collection, layout=CollectionLayout()))
    import_records(world.collections, world.records, "older", [{"code": str(n), "n": n} for n in range(100)])
    # When each is read whole in one wave of its shards
    waves: dict[str, int] = {}
    for name in ("items", "older"):
        meter = ReadMeter()
        plan = Plan(kind="scan", description="scan", collection_id=world.stored(name).collection.id)
        assert len(list(world.records.query(plan, meter, want=1000, drain=True))) == 100
        waves[name] = meter.requests
    # Then the new one is read with 2 requests, the older with 8
    assert waves == {"items": keys.NEW_COLLECTION_SHARDS, "older": keys.LEGACY_SHARDS}
