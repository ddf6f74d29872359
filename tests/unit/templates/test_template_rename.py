"""Renaming a template's collections: every place a collection name is written follows, nothing else does."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import BadRequestError
from shared.templates.model import TemplateFile, parse_template
from shared.templates.rename import with_prefix, without_prefix


def _template(**extra: Any) -> TemplateFile:
    return parse_template({
        "format": "lambdabase.template", "version": 1,
        "collections": [
            {"name": "posts", "type": "base", "listRule": "@collection.comments.post ?= id && author = 'posts'",
             "fields": [{"name": "author", "type": "relation", "collectionId": "users"},
                        {"name": "n", "type": "count", "relation": "comments_via_post", "filter": "ok = true"}],
             "indexes": ["CREATE INDEX `idx_posts_author` ON `posts` (`author`)"]},
            {"name": "comments", "type": "base", "viewRule": "post.comments_via_post.id != ''",
             "fields": [{"name": "post", "type": "relation", "collectionId": "posts"}]},
            {"name": "recent", "type": "view",
             "viewQuery": "SELECT p.id, c.post FROM posts p JOIN comments c ON c.post = p.id"},
        ],
        "views": [{"collection": "posts", "name": "Form", "type": "form", "slug": "post-it",
                   "filter": "@collection.comments.post ?= id",
                   "colorRules": [{"filter": "comments_via_post.id != ''", "color": "red"}]}],
        "sampleData": {"posts": [{"_key": "a"}]}, **extra})


def test_a_prefix_reaches_every_collection_reference_and_nothing_else() -> None:
    # Given a template whose collections name each other in rules, relations, back-relations, queries and views
    # When it is prefixed
    renamed = with_prefix(_template(), "Blog_")
    posts, comments, recent = renamed.collections
    # Then each reference to a template collection is prefixed; the external `users` and the text literal are not
    assert posts["name"] == "Blog_posts"
    assert posts["listRule"] == "@collection.Blog_comments.post ?= id && author = 'posts'"
    assert posts["fields"][0]["collectionId"] == "users"
    assert posts["fields"][1]["relation"] == "Blog_comments_via_post"
    assert posts["indexes"] == ["CREATE INDEX `idx_posts_author` ON `Blog_posts` (`author`)"]
    assert comments["fields"][0]["collectionId"] == "Blog_posts"
    assert comments["viewRule"] == "post.Blog_comments_via_post.id != ''"
    assert "Blog_posts" in recent["viewQuery"] and "Blog_comments" in recent["viewQuery"]
    view = renamed.views[0]
    assert (view.collection, view.slug) == ("Blog_posts", "blog_post-it")
    assert view.filter == "@collection.Blog_comments.post ?= id"
    assert view.colorRules == [{"filter": "Blog_comments_via_post.id != ''", "color": "red"}]
    assert list(renamed.sampleData) == ["Blog_posts"]


def test_stripping_the_prefix_gives_the_template_back() -> None:
    # Given a template prefixed, When the prefix is stripped, Then it is the original again (the view query
    # as sqlglot writes it)
    original = _template()
    back = without_prefix(with_prefix(original, "Blog_"), "Blog_")
    assert back.collections[:2] == original.collections[:2]
    assert back.views == original.views and back.sampleData == original.sampleData
    assert "FROM posts" in back.collections[2]["viewQuery"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"version": 2}, "version"),
    ({"views": [{"collection": "posts", "name": "x"}]}, "views.0.type"),
    ({"surprise": 1}, "surprise"),
    ({"collections": [{"name": "a"}, {"name": "A"}]}, "same name"),
])
def test_a_malformed_file_is_a_400_naming_what_is_wrong(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        _template(**extra)
    assert caught.value.status == 400 and message in caught.value.data["template"]["message"]
