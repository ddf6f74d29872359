"""Uniquely named collections and seed records shared by the records API suites, created over HTTP."""

from __future__ import annotations

from typing import Any

from tests.support.records_api import Api, unique

OPEN_RULES = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


def rid(prefix: str, n: int) -> str:
    """A valid 15-character record id such as `thing0000000003`."""
    return f"{prefix}{n:0{15 - len(prefix)}d}"


def every_field_type(name: str, authors_id: str) -> dict[str, Any]:
    """A collection with one field of every type and the options the validation scenarios exercise."""
    return {"name": name, "type": "base", **OPEN_RULES, "fields": [
        {"name": "title", "type": "text", "required": True, "min": 2, "max": 20},
        {"name": "slug", "type": "text", "pattern": "^[a-z0-9-]+$"},
        {"name": "score", "type": "number", "min": -10, "max": 100},
        {"name": "count", "type": "number", "onlyInt": True},
        {"name": "done", "type": "bool"},
        {"name": "contact", "type": "email"},
        {"name": "site", "type": "url"},
        {"name": "due", "type": "date"},
        {"name": "status", "type": "select", "values": ["draft", "live", "gone"], "maxSelect": 1},
        {"name": "tags", "type": "select", "values": ["a", "b", "c", "d"], "maxSelect": 3},
        {"name": "meta", "type": "json"},
        {"name": "body", "type": "editor"},
        {"name": "author", "type": "relation", "collectionId": authors_id, "maxSelect": 1},
        {"name": "editors", "type": "relation", "collectionId": authors_id, "maxSelect": 2},
        {"name": "secret", "type": "password", "min": 6},
        {"name": "place", "type": "geoPoint"},
        {"name": "created", "type": "autodate", "onCreate": True, "onUpdate": False},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ]}


def create_blog(api: Api) -> dict[str, str]:
    """authors <- posts (author, editors, hidden) <- comments (cascade); hidden is superuser-only.

    Returns the names (`authors`, `posts`, ...) and ids of the seed records, for `${...}` substitution.
    """
    names = {key: unique(key) for key in ("authors", "hiddens", "posts", "comments")}
    authors = api.create_collection({"name": names["authors"], "type": "base", **OPEN_RULES,
                                     "fields": [{"name": "name", "type": "text"}]})
    hiddens = api.create_collection({"name": names["hiddens"], "type": "base",
                                     "fields": [{"name": "label", "type": "text"}]})
    posts = api.create_collection({**every_field_type(names["posts"], authors["id"]), "fields": [
        *every_field_type(names["posts"], authors["id"])["fields"],
        {"name": "hidden", "type": "relation", "collectionId": hiddens["id"], "maxSelect": 1}]})
    api.create_collection({"name": names["comments"], "type": "base", **OPEN_RULES, "fields": [
        {"name": "message", "type": "text"},
        {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1, "cascadeDelete": True}]})
    ann, bob, cid = rid("author", 1), rid("author", 2), rid("author", 3)
    api.create_record(names["authors"], {"id": ann, "name": "Ann"})
    api.create_record(names["authors"], {"id": bob, "name": "Bob"})
    api.create_record(names["authors"], {"id": cid, "name": "Cid"})
    api.create_record(names["hiddens"], {"id": rid("hidden", 1), "label": "classified"})
    p1, p2 = rid("post", 1), rid("post", 2)
    api.create_record(names["posts"], {"id": p1, "title": "First", "author": cid, "editors": [ann, bob],
                                       "hidden": rid("hidden", 1), "body": "<p>Hello <b>world</b>, a long body</p>"})
    api.create_record(names["posts"], {"id": p2, "title": "Second", "author": ann})
    for n, (post, message) in enumerate([(p1, "nice"), (p1, "hello there"), (p2, "meh")], start=1):
        api.create_record(names["comments"], {"id": rid("comment", n), "post": post, "message": message})
    return {**names, "posts_id": posts["id"], "authors_id": authors["id"], "ann": ann, "bob": bob, "cid": cid,
            "p1": p1, "p2": p2, "c1": rid("comment", 1), "c2": rid("comment", 2), "c3": rid("comment", 3)}
