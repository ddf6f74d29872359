"""Relations benchmark on moto: what a back-relation expand, filter and cascade delete read among 10,000 comments.

Goal: reads proportional to the records that actually reference the one in question (reverse-reference
items), never to the size of the referencing collection. Items read come from the request's ReadMeter,
requests from a hook on the DynamoDB client.
"""

from __future__ import annotations

import os
import time
from typing import Any

from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.dynamo_repository import DynamoRecordRepository
from shared.records.importer import import_records
from shared.records.scope import RecordScope
from tests.bench.records import dynamodb_calls

COMMENTS = int(os.environ.get("LB_BENCH_COMMENTS", "10000"))
POSTS = int(os.environ.get("LB_BENCH_POSTS", "1000"))
CHUNK = 2000
OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


class Blog:
    """POSTS posts and COMMENTS comments spread evenly over them (comments cascade with their post)."""

    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = DynamoRecordRepository(resources.RECORDS_TABLE.physical_name)
        service = CollectionsAdmin(self.collections, self.records)
        posts = service.create({"name": "posts", "type": "base", **OPEN, "fields": [
            {"name": "title", "type": "text"}]})
        service.create({"name": "comments", "type": "base", **OPEN, "fields": [
            {"name": "message", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts.id, "maxSelect": 1, "cascadeDelete": True}]})
        self.posts = [f"post{i:011d}" for i in range(POSTS)]
        self._import("posts", [{"id": p, "title": f"post {i}"} for i, p in enumerate(self.posts)])
        self._import("comments", [{"post": self.posts[i % POSTS], "message": f"comment {i}"}
                                  for i in range(COMMENTS)])

    def _import(self, name: str, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            import_records(self.collections, self.records, name, rows[start:start + CHUNK])

    def scope(self) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True))


def measure(blog: Blog, label: str, goal: str, action: Any) -> None:
    scope = blog.scope()
    with dynamodb_calls() as calls:
        started = time.perf_counter()
        detail = action(scope)
        elapsed = time.perf_counter() - started
    requests = ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))
    print(f"     {label:<44} {scope.meter.items_read:>6} items read  goal {goal:<8} "
          f"{sum(calls.values())} requests ({requests}), {elapsed * 1000:.0f} ms{detail}")


def report() -> None:
    from tests.support.moto_cloud import running_cloud

    per_post = COMMENTS // POSTS
    print(f"Relations on moto: {COMMENTS} comments over {POSTS} posts ({per_post} each), "
          "reverse-reference items (docs/data-model.md)")
    with running_cloud():
        started = time.perf_counter()
        blog = Blog()
        print(f"     loaded in {time.perf_counter() - started:.0f} s (import_records)")
        post = blog.posts[POSTS // 2]
        referencing = 2 * per_post  # each comment: its reverse item, then the record itself
        print(f"  4. reads of one post's back-relations, goal: 1 (the post) + {referencing} "
              f"({per_post} reverse items + {per_post} comments), not {COMMENTS}")

        def expand(scope: RecordScope) -> str:
            body, _ = scope.reader.view("posts", post, {"expand": "comments_via_post"})
            return f"; {len(body['expand']['comments_via_post'])} comments expanded"

        measure(blog, "view + expand comments_via_post", f"{1 + referencing}", expand)

        def filtered(scope: RecordScope) -> str:
            page = scope.reader.list_page("posts", {"filter": f"id = '{post}' && "
                                                              f"comments_via_post.message ?= 'comment {POSTS // 2}'"})
            return f"; {page['totalItems']} post matched"

        measure(blog, "filter by comments_via_post.message", f"{1 + referencing}", filtered)

        def cascade(scope: RecordScope) -> str:
            # Reads and the planned writes only: moto copies the whole table for every item of a transaction
            # (21,000 items here), which says nothing of DynamoDB; tests/integration commits cascades on moto.
            prepared = scope.writer.prepare_delete("posts", post)
            removed = sum(len(w.links_removed) for w in prepared.writes)
            return (f"; plans {len(prepared.writes)} record deletes in one transaction + {removed} reverse items "
                    "removed after it (commit not timed on moto)")

        measure(blog, "delete, cascading to its comments", f"{1 + referencing}", cascade)
        print(f"     before reverse references, each of these read all {COMMENTS} comments "
              "(and refused past 1,000)")
