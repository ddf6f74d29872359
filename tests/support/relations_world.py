"""A blog of posts, comments and tags over any record repository, for the reverse-reference suites."""

from __future__ import annotations

from typing import Any

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import CollectionRepository
from shared.records.context import RequestContext
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository
from shared.records.scope import RecordScope

OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


class RelationsWorld:
    """`posts`; `comments` (post: cascade, editor: optional); `notes` (post: required); `tags` (posts: multi)."""

    def __init__(self, collections: CollectionRepository, records: RecordRepository) -> None:
        self.collections = collections
        self.records = records
        self.service = CollectionsAdmin(collections, records)
        self.ids: dict[str, str] = {}
        posts = self.service.create({"name": "posts", "type": "base", **OPEN, "fields": [
            {"name": "title", "type": "text"}]})
        self.ids["posts"] = posts.id
        self.ids["comments"] = self.service.create({"name": "comments", "type": "base", **OPEN, "fields": [
            {"name": "message", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts.id, "maxSelect": 1, "cascadeDelete": True},
            {"name": "editor", "type": "relation", "collectionId": posts.id, "maxSelect": 1}]}).id
        self.ids["notes"] = self.service.create({"name": "notes", "type": "base", **OPEN, "fields": [
            {"name": "post", "type": "relation", "collectionId": posts.id, "maxSelect": 1, "required": True}]}).id
        self.ids["tags"] = self.service.create({"name": "tags", "type": "base", **OPEN, "fields": [
            {"name": "name", "type": "text"},
            {"name": "posts", "type": "relation", "collectionId": posts.id, "maxSelect": 999,
             "cascadeDelete": True}]}).id

    def scope(self, budget: int = 10_000) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True), query_budget=budget)

    def create(self, collection: str, body: dict[str, Any]) -> str:
        return str(self.scope().writer.create(collection, body).record.id)

    def update(self, collection: str, record_id: str, body: dict[str, Any]) -> None:
        self.scope().writer.update(collection, record_id, body)

    def delete(self, collection: str, record_id: str) -> None:
        self.scope().writer.delete(collection, record_id)

    def exists(self, collection: str, record_id: str) -> bool:
        return self.records.get(self.ids[collection], record_id, ReadMeter()) is not None

    def value(self, collection: str, record_id: str, field: str) -> Any:
        body, _ = self.scope().reader.view(collection, record_id, {})
        return body[field]

    def referencing(self, source: str, field: str, target: str, target_id: str) -> list[str]:
        """Ids the reverse references of `target_id` name for `source.field`, straight from the repository."""
        stored = self.collections.get(source).collection
        field_id = stored.field_by_name(field).id  # type: ignore[union-attr]
        return list(self.records.referencing(self.ids[target], target_id, stored.id, field_id, ReadMeter()))
