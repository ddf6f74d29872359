"""Conformance of ?expand: single, multiple, nested and back-relations, fields on expanded records, the
target's viewRule, and the depth limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

POSTS = "/api/collections/exp_posts/records"
COMMENTS = "/api/collections/exp_comments/records"
NODES = "/api/collections/exp_nodes/records"
DEEP = "parent." * 6 + "parent"

CASES = cases(
    Case("expand a single relation", "GET", POSTS + "/${post1}", params={"expand": "author"}),
    Case("expand two relations", "GET", POSTS + "/${post1}", params={"expand": "author,coauthors"}),
    Case("expand a multi relation keeps its order", "GET", POSTS + "/${post2}", params={"expand": "coauthors"}),
    Case("expand an empty relation", "GET", POSTS + "/${post3}", params={"expand": "author,coauthors"}),
    Case("expand nested", "GET", COMMENTS + "/${c1}", params={"expand": "post.author"}),
    Case("expand nested and its parent", "GET", COMMENTS + "/${c1}", params={"expand": "post,post.coauthors"}),
    Case("expand a back-relation", "GET", POSTS + "/${post1}", params={"expand": "exp_comments_via_post"}),
    Case("expand a back-relation nested", "GET", POSTS + "/${post1}",
         params={"expand": "exp_comments_via_post.user"}),
    Case("expand with fields on the expanded record", "GET", POSTS + "/${post1}",
         params={"expand": "author", "fields": "title,expand.author.name"}),
    Case("expand with fields wildcard on expand", "GET", POSTS + "/${post1}",
         params={"expand": "author", "fields": "id,expand.author.*"}),
    Case("expand with only an expanded field", "GET", POSTS + "/${post1}",
         params={"expand": "author", "fields": "expand.author.name"}),
    Case("expand a multi relation with fields", "GET", POSTS + "/${post1}",
         params={"expand": "coauthors", "fields": "id,expand.coauthors.name"}),
    Case("expand with an excerpt of an expanded field", "GET", POSTS + "/${post1}",
         params={"expand": "author", "fields": "*,expand.author.name:excerpt(3,true)"}),
    Case("expand with fields keeping the whole expand", "GET", POSTS + "/${post1}",
         params={"expand": "author,coauthors", "fields": "title,expand"}),
    Case("expand with fields under expand's wildcard", "GET", POSTS + "/${post1}",
         params={"expand": "author,coauthors", "fields": "expand.*.name"}),
    Case("expand nested with fields", "GET", COMMENTS + "/${c1}",
         params={"expand": "post.author", "fields": "text,expand.post.title,expand.post.expand.author.name"}),
    Case("expand a back-relation with fields", "GET", POSTS + "/${post1}",
         params={"expand": "exp_comments_via_post", "fields": "expand.exp_comments_via_post.text"}),
    Case("fields naming an expand that was not asked for", "GET", POSTS + "/${post1}",
         params={"fields": "title,expand.author.name"}),
    Case("expand and fields in a list", "GET", POSTS,
         params={"expand": "author", "fields": "title,expand.author.name", "sort": "title"}),
    Case("expand and fields on create", "POST", COMMENTS, params={"expand": "post", "fields": "text,expand.post.title"},
         body={"text": "with fields", "post": "${post2}"}),
    Case("expand an unknown field", "GET", POSTS + "/${post1}", params={"expand": "nope"}),
    Case("expand a non-relation field", "GET", POSTS + "/${post1}", params={"expand": "title"}),
    Case("expand with a stray comma", "GET", POSTS + "/${post1}", params={"expand": "author,"}),
    Case("expand in a list", "GET", POSTS, params={"expand": "author", "sort": "title"}),
    Case("expand a target the guest may not view", "GET", POSTS + "/${post1}", role=GUEST,
         params={"expand": "classified"}),
    Case("expand a target the superuser may view", "GET", POSTS + "/${post1}", params={"expand": "classified"}),
    Case("expand users as a guest", "GET", COMMENTS + "/${c1}", role=GUEST, params={"expand": "user"}),
    Case("expand users as that user", "GET", COMMENTS + "/${c1}", role="alice", params={"expand": "user"}),
    Case("expand six levels deep", "GET", NODES + "/${node7}", params={"expand": "parent." * 5 + "parent"}),
    Case("expand seven levels deep", "GET", NODES + "/${node7}", params={"expand": DEEP}),
    Case("expand on create", "POST", COMMENTS, params={"expand": "post"}, body={"text": "new", "post": "${post2}"}),
    Case("expand on update", "PATCH", COMMENTS + "/${c2}", params={"expand": "post.author"}, body={"text": "upd"}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    public = {"listRule": "", "viewRule": ""}
    paired.create_collection({"name": "exp_authors", "type": "base", **public,
                              "fields": [{"name": "name", "type": "text"}]})
    for n in (1, 2, 3):
        paired.create_record("exp_authors", f"author{n}", {"name": f"author {n}"})
    paired.create_collection({"name": "exp_secrets", "type": "base", "fields": [{"name": "code", "type": "text"}]})
    paired.create_record("exp_secrets", "secret1", {"code": "s"})
    paired.create_collection({"name": "exp_posts", "type": "base", **public, "fields": [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": "${col_exp_authors}", "maxSelect": 1},
        {"name": "coauthors", "type": "relation", "collectionId": "${col_exp_authors}", "maxSelect": 5},
        {"name": "classified", "type": "relation", "collectionId": "${col_exp_secrets}", "maxSelect": 1}]})
    paired.create_record("exp_posts", "post1", {"title": "p1", "author": "${author1}", "classified": "${secret1}",
                                                "coauthors": ["${author2}", "${author3}"]})
    paired.create_record("exp_posts", "post2", {"title": "p2", "author": "${author2}",
                                                "coauthors": ["${author3}", "${author1}"]})
    paired.create_record("exp_posts", "post3", {"title": "p3"})
    paired.create_collection({"name": "exp_comments", "type": "base", **public, "createRule": "", "updateRule": "",
                              "fields": [
                                  {"name": "text", "type": "text"},
                                  {"name": "post", "type": "relation", "collectionId": "${col_exp_posts}"},
                                  {"name": "user", "type": "relation", "collectionId": "_pb_users_auth_"}]})
    paired.create_record("exp_comments", "c1", {"text": "c1", "post": "${post1}", "user": "${alice}"})
    paired.create_record("exp_comments", "c2", {"text": "c2", "post": "${post1}", "user": "${bob}"})
    paired.create_collection({"name": "exp_nodes", "type": "base", **public,
                              "fields": [{"name": "depth", "type": "number"}]})
    paired.ok("PATCH", "/api/collections/exp_nodes", json={"fields": [
        {"name": "depth", "type": "number"},
        {"name": "parent", "type": "relation", "collectionId": "${col_exp_nodes}", "maxSelect": 1}]})
    paired.create_record("exp_nodes", "node0", {"depth": 0})
    for n in range(1, 8):
        paired.create_record("exp_nodes", f"node{n}", {"depth": n, "parent": f"${{node{n - 1}}}"})
    paired.settle("exp_posts")
    yield


@pytest.mark.parametrize("case", CASES)
def test_expand(paired: PairedClient, case: Case) -> None:
    # Given posts, authors, comments and a chain of nodes, When both expand the same paths, Then the same
    # records appear under `expand`
    check(paired, case)
