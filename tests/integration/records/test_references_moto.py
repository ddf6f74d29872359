"""Reverse-reference items on DynamoDB (moto): written in the record's transaction, read by one Query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared import resources
from shared.aws import client
from shared.catalog.repository import DynamoCollectionRepository
from shared.errors import BadRequestError
from shared.records.importer import import_records
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records
from tests.support.relations_world import RelationsWorld

TABLE = resources.RECORDS_TABLE.physical_name


@pytest.fixture
def world() -> Iterator[RelationsWorld]:
    with running_cloud():
        yield RelationsWorld(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                             dynamo_records(TABLE))


def reference_items() -> list[tuple[str, str]]:
    items = client("dynamodb").scan(TableName=TABLE)["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items if i["pk"]["S"].startswith("ref#"))


def test_reverse_items_are_written_moved_and_deleted_with_the_record(world: RelationsWorld) -> None:
    # Given a comment on a post
    p1, p2 = world.create("posts", {"title": "one"}), world.create("posts", {"title": "two"})
    comment = world.create("comments", {"post": p1})
    # Then one reverse item sits under the post, naming the comment
    assert [pk for pk, _ in reference_items()] == [f"ref#{world.ids['posts']}#{p1}"]
    assert reference_items()[0][1].endswith(f"\x01{comment}")
    # When the comment moves to the other post, then so does its reverse item
    world.update("comments", comment, {"post": p2})
    assert [pk for pk, _ in reference_items()] == [f"ref#{world.ids['posts']}#{p2}"]
    # When the post is deleted, then the cascade removes the comment and its reverse item
    world.delete("posts", p2)
    assert not world.exists("comments", comment)
    assert reference_items() == []


def test_expand_filter_and_cascade_read_only_what_references_the_record(world: RelationsWorld) -> None:
    # Given 12 posts with 4 comments each, and a note requiring one post
    posts = [world.create("posts", {"title": f"p{i}"}) for i in range(12)]
    for i, post in enumerate(posts):
        for j in range(4):
            world.create("comments", {"post": post, "message": f"m{i}-{j}"})
    world.create("notes", {"post": posts[5]})
    # When one post is viewed with its comments expanded
    scope = world.scope()
    body, _ = scope.reader.view("posts", posts[2], {"expand": "comments_via_post"})
    # Then its 4 comments came from 4 reverse items and 4 records (one Query, one BatchGetItem), plus the post
    assert sorted(c["message"] for c in body["expand"]["comments_via_post"]) == [f"m2-{j}" for j in range(4)]
    assert scope.meter.items_read == 1 + 4 + 4
    # When posts are filtered through the back-relation, then the matching post is found
    page = world.scope().reader.list_page("posts", {"filter": "comments_via_post.message ?= 'm9-3'"})
    assert [item["id"] for item in page["items"]] == [posts[9]]
    # When a post is deleted, then its comments go, read through its reverse items only
    scope = world.scope()
    scope.writer.delete("posts", posts[0])
    assert scope.meter.items_read == 1 + 4 + 4
    # When the post a note requires is deleted, then it is a 400 and nothing changed
    with pytest.raises(BadRequestError) as exc:
        world.delete("posts", posts[5])
    assert exc.value.status == 400
    assert world.exists("posts", posts[5])
    assert len(reference_items()) == 11 * 4 + 1


def test_imports_write_reverse_items_and_truncation_removes_them(world: RelationsWorld) -> None:
    # Given a post, and tags that get a UNIQUE index (conditional import) while comments do not
    post = world.create("posts", {"title": "p"})
    tags = world.collections.get("tags").collection
    world.service.update("tags", {"indexes": [f"CREATE UNIQUE INDEX idx_tag_name ON {tags.name} (name)"]})
    # When comments and tags are imported
    import_records(world.collections, world.records, "comments", [{"post": post} for _ in range(30)])
    import_records(world.collections, world.records, "tags", [{"name": f"t{i}", "posts": [post]} for i in range(3)])
    # Then every imported record is found by the post
    body, _ = world.scope().reader.view("posts", post, {"expand": "comments_via_post,tags_via_posts"})
    assert (len(body["expand"]["comments_via_post"]), len(body["expand"]["tags_via_posts"])) == (30, 3)
    # When comments are truncated, then only the tags' reverse items are left (no table scan was needed)
    world.service.truncate("comments")
    assert len(reference_items()) == 3


def test_a_multi_relation_with_hundreds_of_ids_is_one_request(world: RelationsWorld) -> None:
    # Given 120 posts
    posts = [world.create("posts", {"title": str(i)}) for i in range(120)]
    # When one tag takes them all at once, then each post has its reverse item, carrying the record's version
    tag = world.create("tags", {"posts": posts})
    assert len(reference_items()) == 120
    # When the tag drops all but one, then exactly those reverse items are removed after the write
    world.update("tags", tag, {"posts": posts[:1]})
    assert [pk for pk, _ in reference_items()] == [f"ref#{world.ids['posts']}#{posts[0]}"]


def test_a_slow_removal_never_deletes_the_item_a_later_version_put_back(world: RelationsWorld) -> None:
    # Given a comment on a post, moved away (version 2) and back (version 3)
    post, other = world.create("posts", {"title": "p"}), world.create("posts", {"title": "o"})
    comment = world.create("comments", {"post": post})
    world.update("comments", comment, {"post": other})
    world.update("comments", comment, {"post": post})
    # When the removal decided by version 2 arrives late
    from shared.records.dynamo_links import remove_links
    from shared.records.model import RecordWrite, StoredRecord

    field_id = world.collections.get("comments").collection.field_by_name("post").id  # type: ignore[union-attr]
    late = RecordWrite(kind="update", record=StoredRecord(world.ids["comments"], comment, {}, 2),
                       expected_version=1, links_removed=[(field_id, world.ids["posts"], post)])
    remove_links(TABLE, lambda requests: None, [late])
    # Then the reverse item of version 3 is still there
    assert world.referencing("comments", "post", "posts", post) == [comment]
