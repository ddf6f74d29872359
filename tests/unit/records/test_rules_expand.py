"""`expand` as PocketBase 0.40.6 answers it: `expand: {}` per record and level, dropped paths, back-relations.

Each expected tree was recorded against the real server on the same collections (rules_world.blog), as a guest:
`{"t": name, "x": expand}` per record, with `x` absent when the record has no `expand` key.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.records.rules_world import World, blog

ALICE, BOB, ZED = ({"t": n} for n in ("alice", "bob", "zed"))
NO_EXPAND = [{"t": p} for p in ("p1", "p2", "p3", "p4")]


@pytest.fixture(scope="module")
def world() -> tuple[World, dict[str, str]]:
    return blog()


def _tree(world: tuple[World, dict[str, str]], collection: str, expand: str, role: str = "guest") -> list[Any]:
    w, ids = world
    by_id = {v: k for k, v in ids.items()}

    def strip(body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"t": by_id[body["id"]]}
        if "expand" in body:
            out["x"] = {k: [strip(i) for i in v] if isinstance(v, list) else strip(v)
                        for k, v in body["expand"].items()}
        return out

    page = w.service(role).reader.list_page(collection, {"expand": expand, "sort": "@rowid"})
    return [strip(item) for item in page["items"]]


@pytest.mark.parametrize(("collection", "expand", "expected"), [
    ("posts", "author", [{"t": "p1", "x": {"author": ALICE}}, {"t": "p2", "x": {"author": BOB}},
                         {"t": "p3", "x": {"author": ZED}}, {"t": "p4", "x": {}}]),
    # p4's only pv is not viewable and p3 has none: both get an empty expand
    ("posts", "pv", [{"t": "p1", "x": {"pv": [{"t": "open"}]}}, {"t": "p2", "x": {"pv": [{"t": "open"}]}},
                     {"t": "p3", "x": {}}, {"t": "p4", "x": {}}]),
    # a collection without a viewRule, an unknown name, or an invalid deeper level drops the whole path
    ("posts", "lk", NO_EXPAND),
    ("posts", "nosuch", NO_EXPAND),
    ("posts", "author.nosuch", NO_EXPAND),
    ("posts", "pv.nosuch", NO_EXPAND),
    ("posts", "author,nosuch", [{"t": "p1", "x": {"author": ALICE}}, {"t": "p2", "x": {"author": BOB}},
                                {"t": "p3", "x": {"author": ZED}}, {"t": "p4", "x": {}}]),
    # nested: each expanded level gets its own expand; the deepest records have none
    ("posts", "author.posts_via_author", [
        {"t": "p1", "x": {"author": {"t": "alice", "x": {"posts_via_author": [{"t": "p1"}]}}}},
        {"t": "p2", "x": {"author": {"t": "bob", "x": {"posts_via_author": [{"t": "p2"}]}}}},
        {"t": "p3", "x": {"author": {"t": "zed", "x": {"posts_via_author": [{"t": "p3"}]}}}},
        {"t": "p4", "x": {}}]),
    ("people", "posts_via_author.pv", [
        {"t": "alice", "x": {"posts_via_author": [{"t": "p1", "x": {"pv": [{"t": "open"}]}}]}},
        {"t": "bob", "x": {"posts_via_author": [{"t": "p2", "x": {"pv": [{"t": "open"}]}}]}},
        {"t": "zed", "x": {"posts_via_author": [{"t": "p3", "x": {}}]}}]),
    # the legacy back-relation syntax, under the name as written
    ("people", "posts(author)", [{"t": "alice", "x": {"posts(author)": [{"t": "p1"}]}},
                                 {"t": "bob", "x": {"posts(author)": [{"t": "p2"}]}},
                                 {"t": "zed", "x": {"posts(author)": [{"t": "p3"}]}}]),
    ("people", "posts(authors)", [{"t": "alice", "x": {"posts(authors)": [{"t": "p1"}]}},
                                  {"t": "bob", "x": {"posts(authors)": [{"t": "p1"}, {"t": "p2"}]}},
                                  {"t": "zed", "x": {}}]),
])
def test_expand_matches_pocketbase(world, collection: str, expand: str, expected: list[Any]) -> None:
    # Given the blog / When a guest lists with expand / Then the expand trees are PocketBase's
    assert _tree(world, collection, expand) == expected


def test_levels_past_the_sixth_are_ignored(world) -> None:
    # Given a seven-level path / When expanded / Then six levels are, and the seventh is silently left out
    path = ".".join(["author", "posts_via_author"] * 3 + ["author"])
    deepest = _tree(world, "posts", path)[0]
    for name in ["author", "posts_via_author"] * 3:
        deepest = deepest["x"][name]
        deepest = deepest[0] if isinstance(deepest, list) else deepest
    assert deepest == {"t": "p1"}


def test_a_superuser_expands_a_collection_without_view_rule(world) -> None:
    assert _tree(world, "posts", "lk", role="superuser")[0] == {"t": "p1", "x": {"lk": {"t": "l1"}}}


def test_two_paths_through_one_relation_keep_both_nested_expands(world) -> None:
    tree = _tree(world, "posts", "author.posts_via_author,author.posts_via_authors")
    assert tree[0] == {"t": "p1", "x": {"author": {"t": "alice", "x": {
        "posts_via_author": [{"t": "p1"}], "posts_via_authors": [{"t": "p1"}]}}}}


def test_related_view_rules_see_the_expand_context() -> None:
    # Given a collection whose viewRule refuses the "expand" context (recorded against PocketBase 0.40.6)
    w = World()
    w.collection({"name": "ctx", "type": "base", "listRule": "", "viewRule": "@request.context != 'expand'",
                  "fields": [{"name": "name", "type": "text"}]})
    target = w.collections.get("ctx").collection
    w.collection({"name": "notes", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "ref", "type": "relation", "collectionId": target.id, "maxSelect": 1}]})
    w.record("ctx", {"id": "ctx000000000001", "name": "c"})
    w.record("notes", {"id": "note00000000001", "ref": "ctx000000000001"})
    # When a guest views the record directly, and expands it from a note
    direct = w.service("guest").reader.view("ctx", "ctx000000000001", {})[0]
    note = w.service("guest").reader.list_page("notes", {"expand": "ref"})["items"][0]
    # Then the record is viewable, but not expandable
    assert direct["id"] == "ctx000000000001"
    assert note["expand"] == {}
