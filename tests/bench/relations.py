"""Relations benchmark on moto: what a back-relation expand, filter and cascade delete read among 10,000 comments.

Goal: reads proportional to the records that actually reference the one in question (reverse-reference
items), never to the size of the referencing collection. Items read come from the request's ReadMeter,
requests from a hook on the DynamoDB client.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.importer import import_records
from shared.records.scope import DEFAULT_QUERY_BUDGET, RecordScope
from tests.bench import goals
from tests.bench.records import dynamodb_calls
from tests.support.record_stores import dynamo_records

COMMENTS = int(os.environ.get("LB_BENCH_COMMENTS", "10000"))
POSTS = int(os.environ.get("LB_BENCH_POSTS", "1000"))
CHUNK = 2000
OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


class Blog:
    """POSTS posts and COMMENTS comments spread evenly over them (comments cascade with their post)."""

    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records()
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

    def scope(self, budget: int = DEFAULT_QUERY_BUDGET) -> RecordScope:
        return RecordScope(self.collections, self.records, RequestContext(system=True), query_budget=budget)


def measure(blog: Blog, label: str, goal: str, action: Any, budget: int = DEFAULT_QUERY_BUDGET
            ) -> tuple[int, Counter[str]]:
    """Run one read; print and return its items read and its DynamoDB requests by operation."""
    scope = blog.scope(budget)
    with dynamodb_calls() as calls:
        started = time.perf_counter()
        detail = action(scope)
        elapsed = time.perf_counter() - started
    requests = ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))
    print(f"     {label:<44} {scope.meter.items_read:>6} items read  goal {goal:<8} "
          f"{sum(calls.values())} requests ({requests}), {elapsed * 1000:.0f} ms{detail}")
    return scope.meter.items_read, calls


def report_page_relations(blog: Blog) -> None:
    """Issue 8: relations of a whole page are read in batches, never one request per record."""
    print("  6. relations of a page: one BatchGetItem per 100 distinct ids and level, a bounded relation filter")

    def expand(scope: RecordScope) -> str:
        page = scope.reader.list_page("comments", {"perPage": "20", "expand": "post", "skipTotal": "1"})
        distinct = len({item["post"] for item in page["items"]})
        return f"; {len(page['items'])} comments, {distinct} distinct posts expanded"

    _, calls = measure(blog, "page of 20 comments, expand=post", "1 batch", expand)
    goals.record("relations", "expand on a page of 20, BatchGetItem", "1 per 100 ids",
                 f"{calls['BatchGetItem']} BatchGetItem", calls["BatchGetItem"] <= 1)
    title = f"post {POSTS // 2}"

    def filtered(scope: RecordScope) -> str:
        page = scope.reader.list_page("comments", {"perPage": "20", "filter": f'post.title = "{title}"',
                                                   "skipTotal": "1"})
        return f"; {len(page['items'])} comments matched"

    # the budget raised: with no index on `post`, the filter reads every comment (10,000 by default)
    items, calls = measure(blog, f'filter post.title = "{title}"', "bounded", filtered,
                           budget=10 * (COMMENTS + POSTS))
    # the comments are read whole (no index on post), their posts in batches of 100 distinct ids
    bound = -(-COMMENTS // 100) + -(-POSTS // 100)
    goals.record("relations", "relation filter, BatchGetItem", f"<= {bound}",
                 f"{calls['BatchGetItem']} BatchGetItem, {items} items", calls["BatchGetItem"] <= bound)


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
        report_page_relations(blog)
