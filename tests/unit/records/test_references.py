"""Reverse references on the in-memory repository: kept with every write, read by back-relations and deletes."""

from __future__ import annotations

import pytest

from shared.catalog.repository import InMemoryCollectionRepository
from shared.errors import BadRequestError
from shared.records.batch import run_batch
from shared.records.links import backfill_links
from shared.records.memory_repository import InMemoryRecordRepository
from shared.records.model import ReadMeter, RecordWrite, StoredRecord
from shared.records.references import REQUIRED_REFERENCE
from shared.records.repository import MAX_TRANSACTION_ITEMS, TransactionTooLargeError
from tests.support.relations_world import RelationsWorld


@pytest.fixture
def world() -> RelationsWorld:
    collections = InMemoryCollectionRepository()
    return RelationsWorld(collections, InMemoryRecordRepository(collections.shard_count))


def stored_references(world: RelationsWorld) -> int:
    assert isinstance(world.records, InMemoryRecordRepository)
    return world.records.reference_count()


def test_reverse_references_follow_every_change_of_relation_ids(world: RelationsWorld) -> None:
    # Given two posts and a comment on the first
    p1, p2 = world.create("posts", {"title": "one"}), world.create("posts", {"title": "two"})
    comment = world.create("comments", {"post": p1})
    assert world.referencing("comments", "post", "posts", p1) == [comment]
    # When the comment moves to the second post and names the first as editor
    world.update("comments", comment, {"post": p2, "editor": p1})
    # Then each field's reverse references say so, and nothing else
    assert world.referencing("comments", "post", "posts", p1) == []
    assert world.referencing("comments", "post", "posts", p2) == [comment]
    assert world.referencing("comments", "editor", "posts", p1) == [comment]
    # When an update leaves the relations as they are, then nothing changes either
    world.update("comments", comment, {"message": "edited"})
    assert stored_references(world) == 2
    # When the comment is deleted, then none of its reverse references is left
    world.delete("comments", comment)
    assert stored_references(world) == 0


@pytest.mark.parametrize(("body", "expected"), [
    ({"posts+": ["${p3}"]}, ["${p1}", "${p2}", "${p3}"]),
    ({"posts-": ["${p1}"]}, ["${p2}"]),
    ({"posts": ["${p3}"]}, ["${p3}"]),
    ({"posts": []}, []),
])
def test_multi_relation_modifiers_add_and_remove_exactly_the_ids_they_change(
        world: RelationsWorld, body: dict[str, list[str]], expected: list[str]) -> None:
    # Given a tag on two of three posts
    posts = {f"p{i}": world.create("posts", {"title": str(i)}) for i in (1, 2, 3)}
    tag = world.create("tags", {"posts": [posts["p1"], posts["p2"]]})
    # When the tag's posts are changed
    world.update("tags", tag, {k: [posts[v[2:-1]] for v in ids] for k, ids in body.items()})
    # Then exactly the posts it now holds find it back
    holding = [name for name, pid in posts.items() if world.referencing("tags", "posts", "posts", pid) == [tag]]
    assert holding == [v[2:-1] for v in expected]
    assert stored_references(world) == len(expected)


def test_back_relation_expand_and_filter_read_in_proportion_to_the_references(world: RelationsWorld) -> None:
    # Given 40 posts with 5 comments each (200 comments)
    posts = [world.create("posts", {"title": f"post {i}"}) for i in range(40)]
    for i, post in enumerate(posts):
        for j in range(5):
            world.create("comments", {"post": post, "message": "hello" if (i, j) == (7, 2) else f"m{j}"})
    # When one post is viewed with its comments expanded
    scope = world.scope()
    body, _ = scope.reader.view("posts", posts[3], {"expand": "comments_via_post"})
    # Then the 5 comments come back, having read the post, 5 reverse references and 5 comments
    assert len(body["expand"]["comments_via_post"]) == 5
    assert scope.meter.items_read == 1 + 5 + 5
    # When posts are filtered by a back-relation, then only the post with that comment matches
    page = world.scope().reader.list_page("posts", {"filter": "comments_via_post.message ?= 'hello'",
                                                    "perPage": "100"})
    assert [item["id"] for item in page["items"]] == [posts[7]]


def test_a_back_relation_costs_nothing_for_records_of_other_posts(world: RelationsWorld) -> None:
    # Given a post nobody comments on, among many commented posts
    lonely = world.create("posts", {"title": "lonely"})
    for _ in range(30):
        world.create("comments", {"post": world.create("posts", {"title": "busy"})})
    # When it is viewed with its comments expanded
    scope = world.scope()
    body, _ = scope.reader.view("posts", lonely, {"expand": "comments_via_post"})
    # Then there is nothing to expand, and only the post was read
    assert body["expand"] == {}  # as PocketBase: asked for, nothing to show
    assert scope.meter.items_read == 1


def test_deleting_a_post_cascades_unlinks_optional_ids_and_keeps_other_multi_ids(world: RelationsWorld) -> None:
    # Given a post with a comment (cascade), a comment naming it as optional editor, and tags (cascade, multi)
    doomed, other = world.create("posts", {"title": "doomed"}), world.create("posts", {"title": "other"})
    cascaded = world.create("comments", {"post": doomed})
    edited = world.create("comments", {"post": other, "editor": doomed})
    only_tag = world.create("tags", {"posts": [doomed]})
    shared_tag = world.create("tags", {"posts": [doomed, other]})
    # When the post is deleted
    world.delete("posts", doomed)
    # Then its comment is gone, the optional reference is cleared, and a multi-relation with other ids only
    # loses the id (PocketBase cascades only when none remain)
    assert not world.exists("comments", cascaded)
    assert world.value("comments", edited, "editor") == ""
    assert not world.exists("tags", only_tag)
    assert world.value("tags", shared_tag, "posts") == [other]
    # And the reverse references left are exactly those of the records still pointing somewhere
    assert stored_references(world) == 2  # edited -> other (post), shared_tag -> other


def test_a_required_reference_refuses_the_delete_and_nothing_is_written(world: RelationsWorld) -> None:
    # Given a post that a note requires, and a comment that would cascade
    post = world.create("posts", {"title": "needed"})
    comment = world.create("comments", {"post": post})
    world.create("notes", {"post": post})
    before = stored_references(world)
    # When the post is deleted, then it is PocketBase's 400
    with pytest.raises(BadRequestError) as exc:
        world.delete("posts", post)
    assert exc.value.message == REQUIRED_REFERENCE
    # And nothing was deleted
    assert world.exists("posts", post) and world.exists("comments", comment)
    assert stored_references(world) == before


def test_a_cascade_recurses_through_referencing_records(world: RelationsWorld) -> None:
    # Given replies (cascading to comments) of a comment of a post
    replies = world.service.create({"name": "replies", "type": "base", "fields": [
        {"name": "comment", "type": "relation", "collectionId": world.ids["comments"], "maxSelect": 1,
         "cascadeDelete": True}]}).id
    post = world.create("posts", {"title": "root"})
    comment = world.create("comments", {"post": post})
    reply = world.create("replies", {"comment": comment})
    # When the post is deleted, then the comment and its reply go with it
    world.delete("posts", post)
    assert not world.exists("comments", comment)
    assert world.records.get(replies, reply, ReadMeter()) is None
    assert stored_references(world) == 0


def test_more_referencing_records_than_one_transaction_holds_is_a_400_with_advice(world: RelationsWorld) -> None:
    # Given a post with more cascading comments than one transaction can delete
    post = world.create("posts", {"title": "popular"})
    for _ in range(MAX_TRANSACTION_ITEMS):
        world.create("comments", {"post": post})
    # When it is deleted, then the answer is a 400 that says what to do, and nothing is deleted
    scope = world.scope()
    with pytest.raises(TransactionTooLargeError) as exc:
        scope.writer.delete("posts", post)
    assert "delete the referencing records first" in exc.value.message.lower()
    assert world.exists("posts", post)
    # And it stopped reading once the transaction could not hold the answer
    assert scope.meter.items_read <= 2 * (MAX_TRANSACTION_ITEMS + 1) + 1


def test_a_multi_relation_takes_hundreds_of_ids_in_one_write(world: RelationsWorld) -> None:
    # Given 250 posts
    posts = [world.create("posts", {"title": str(i)}) for i in range(250)]
    # When one tag takes them all at once (reverse references do not count against the transaction)
    tag = world.create("tags", {"posts": posts})
    # Then every post finds it back, and dropping most of them removes exactly those
    assert all(world.referencing("tags", "posts", "posts", p) == [tag] for p in posts)
    world.update("tags", tag, {"posts-": posts[10:]})
    assert stored_references(world) == 10


def test_a_batch_merges_the_reverse_references_of_one_record(world: RelationsWorld) -> None:
    # Given two posts
    p1, p2 = world.create("posts", {"title": "one"}), world.create("posts", {"title": "two"})
    url = "/api/collections/comments/records"
    # When a batch creates a comment on p1, moves it to p2, and creates another one it then deletes
    scope = world.scope()
    run_batch(scope, [
        {"method": "POST", "url": url, "body": {"id": "c00000000000001", "post": p1}},
        {"method": "PATCH", "url": f"{url}/c00000000000001", "body": {"post": p2}},
        {"method": "POST", "url": url, "body": {"id": "c00000000000002", "post": p1}},
        {"method": "DELETE", "url": f"{url}/c00000000000002"}], enabled=True, max_requests=50)
    # Then only the final state has reverse references
    assert world.referencing("comments", "post", "posts", p1) == []
    assert world.referencing("comments", "post", "posts", p2) == ["c00000000000001"]
    assert stored_references(world) == 1
    # When a batch moves it back and then deletes it, then no reverse reference is left
    run_batch(world.scope(), [
        {"method": "PATCH", "url": f"{url}/c00000000000001", "body": {"post": p1}},
        {"method": "DELETE", "url": f"{url}/c00000000000001"}], enabled=True, max_requests=50)
    assert stored_references(world) == 0


def test_truncating_a_collection_removes_its_reverse_references(world: RelationsWorld) -> None:
    # Given comments on a post
    post = world.create("posts", {"title": "p"})
    for _ in range(3):
        world.create("comments", {"post": post, "editor": post})
    # When the comments are truncated, then their reverse references go too
    world.service.truncate("comments")
    assert stored_references(world) == 0


def test_a_stale_reverse_reference_is_checked_against_its_record_and_ignored(world: RelationsWorld) -> None:
    # Given a reverse reference whose record no longer holds the id (as a schema change can leave behind)
    post, other = world.create("posts", {"title": "p"}), world.create("posts", {"title": "other"})
    comment = world.create("comments", {"post": other, "message": "elsewhere"})
    post_field = world.collections.get("comments").collection.field_by_name("post")
    assert post_field is not None
    world.records.add_links([(world.ids["comments"], comment, (post_field.id, world.ids["posts"], post))])
    # When the post is expanded, filtered on and deleted
    body, _ = world.scope().reader.view("posts", post, {"expand": "comments_via_post"})
    page = world.scope().reader.list_page("posts", {"filter": "comments_via_post.message ?= 'elsewhere'"})
    world.delete("posts", post)
    # Then the comment was never taken for one of its references, and is left as it was
    assert body["expand"] == {}  # as PocketBase: asked for, nothing to show
    assert [item["id"] for item in page["items"]] == [other]
    assert world.value("comments", comment, "post") == other


def test_the_backfill_writes_the_reverse_references_of_records_stored_before_them(world: RelationsWorld) -> None:
    # Given a comment stored the way writes were made before reverse references existed
    post = world.create("posts", {"title": "old"})
    fields = {f.name: f.id for f in world.collections.get("comments").collection.fields}
    world.records.write([RecordWrite(kind="create", record=StoredRecord(
        world.ids["comments"], "old000000000001", {fields["post"]: post}))])
    assert world.referencing("comments", "post", "posts", post) == []
    # When the backfill runs (twice: it is idempotent)
    backfill_links(world.collections, world.records)
    written = backfill_links(world.collections, world.records)
    # Then the old comment is found by its post
    assert written == 1
    assert world.referencing("comments", "post", "posts", post) == ["old000000000001"]
    assert stored_references(world) == 1


def test_a_collection_join_past_the_query_budget_is_a_400_with_advice(world: RelationsWorld) -> None:
    # Given 60 comments and a request allowed to read 50 items
    post = world.create("posts", {"title": "p"})
    for _ in range(60):
        world.create("comments", {"post": post})
    scope = world.scope(budget=50)
    # When a filter joins the whole comments collection, then it is a 400 that advises, not a fixed limit
    with pytest.raises(BadRequestError) as exc:
        scope.reader.list_page("posts", {"filter": "@collection.comments.post ?= id"})
    assert exc.value.status == 400 and "more than 50" in exc.value.message
    # And with the budget it needs, the same join answers
    page = world.scope(budget=1_000).reader.list_page("posts", {"filter": "@collection.comments.post ?= id"})
    assert [item["id"] for item in page["items"]] == [post]
