"""Relations read in batches: a relation filter and an expand cost a fixed number of requests, not one a record."""

from __future__ import annotations

import pytest

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import InMemoryCollectionRepository
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter, StoredRecord
from shared.records.scope import RecordScope

POSTS = 150
COMMENTS = 300
OPEN = {"listRule": "", "viewRule": ""}


class CountingRecords(InMemoryRecordRepository):
    """The in-memory records, counting the batch reads of related records (DynamoDB's BatchGetItem)."""

    def __init__(self) -> None:
        super().__init__()
        self.batch_gets = 0

    def get_many(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        self.batch_gets += -(-len(set(ids)) // 100)
        return super().get_many(collection_id, ids, meter)


class Blog:
    def __init__(self) -> None:
        self.collections = InMemoryCollectionRepository()
        self.records = CountingRecords()
        admin = CollectionsAdmin(self.collections, self.records)
        posts = admin.create({"name": "posts", "type": "base", **OPEN, "fields": [{"name": "title", "type": "text"}]})
        admin.create({"name": "comments", "type": "base", **OPEN, "fields": [
            {"name": "message", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts.id, "maxSelect": 1}]})
        self.posts = [f"post{i:011d}" for i in range(POSTS)]
        import_records(self.collections, self.records, "posts",
                       [{"id": p, "title": f"title {i}"} for i, p in enumerate(self.posts)])
        import_records(self.collections, self.records, "comments",
                       [{"post": self.posts[i % POSTS], "message": f"m{i}"} for i in range(COMMENTS)])

    def list(self, params: dict[str, str]) -> tuple[dict[str, object], int]:
        before = self.records.batch_gets
        out = RecordScope(self.collections, self.records, RequestContext()).reader.list_page("comments", params)
        return out, self.records.batch_gets - before


@pytest.fixture
def blog() -> Blog:
    return Blog()


def test_a_relation_filter_reads_related_records_in_batches_not_one_per_record(blog: Blog) -> None:
    # Given 300 comments over 150 posts
    # When a guest lists the comments of the post titled "title 7", through the relation
    out, batch_gets = blog.list({"filter": 'post.title = "title 7"', "perPage": "50"})
    # Then both of its comments are found, reading the 150 posts in 100-id batches: 2 per 100 candidates at most
    assert sorted(item["message"] for item in out["items"]) == ["m157", "m7"]  # type: ignore[union-attr]
    assert batch_gets <= 2 * -(-COMMENTS // 100)


def test_a_page_expand_is_one_batch_per_100_distinct_related_ids(blog: Blog) -> None:
    # Given 300 comments over 150 posts
    # When a page of 200 comments (150 distinct posts) is listed with the post expanded
    out, batch_gets = blog.list({"expand": "post", "perPage": "200", "skipTotal": "1"})
    items = out["items"]
    # Then every comment has its post, read in 2 batches (150 distinct ids)
    assert all(item["expand"]["post"]["id"] == item["post"] for item in items)  # type: ignore[union-attr,index]
    assert batch_gets == 2
