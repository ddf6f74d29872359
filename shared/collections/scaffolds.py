"""PocketBase's collection scaffolds: a blank collection of each type, with the fields and options it starts with."""

from __future__ import annotations

import re
from typing import Any

from shared.collections.defaults import new_collection
from shared.collections.ids import random_string

# The answer's keys, in PocketBase's order.
SCAFFOLD_TYPES = ("view", "base", "auth")
_INDEX_NAME = re.compile(r"^(CREATE (?:UNIQUE )?INDEX )`[^`]*`(.*\(`(\w+)`\).*)$")
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def scaffold(collection_type: str) -> dict[str, Any]:
    """One type's scaffold as PocketBase's `GET /api/collections/meta/scaffolds` shows it (id, name, dates empty)."""
    data = new_collection(collection_type, "").to_api_json()
    data.update(id="", name="", created="", updated="")
    data["indexes"] = [_renamed(index) for index in data["indexes"]]
    if collection_type == "view":
        data["fields"] = []  # as PocketBase: a view's fields come from its query, even its id
        data.setdefault("viewQuery", "")  # the view collection's own option, last as PocketBase orders it
    return data


def scaffolds() -> dict[str, dict[str, Any]]:
    """Every type's scaffold, keyed by type."""
    return {kind: scaffold(kind) for kind in SCAFFOLD_TYPES}


def _renamed(index: str) -> str:
    """As PocketBase: a collection with neither id nor name names its indexes `idx_<field>_<10 random chars>`."""
    match = _INDEX_NAME.match(index)
    if match is None:
        return index
    head, rest, field = match.groups()
    return f"{head}`idx_{field}_{random_string(10, _SUFFIX_ALPHABET)}`{rest}"
