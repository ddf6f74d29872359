"""`expand`: relations and back-relations inlined up to six levels, each respecting its viewRule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.model import StoredRecord
from shared.records.resolver import RecordLoader, field_values

MAX_EXPAND_DEPTH = 6
# As PocketBase (core/record_query_expand.go): a back-relation expands at most this many records, read no further.
BACK_RELATION_EXPAND_LIMIT = 1000

Visible = Callable[[Collection, StoredRecord], bool]
ToJson = Callable[[Collection, StoredRecord], dict[str, Any]]


def parse_expand(text: str) -> dict[str, Any]:
    """`a.b,a.c,d` -> {"a": {"b": {}, "c": {}}, "d": {}}; deeper than six levels is a 400."""
    tree: dict[str, Any] = {}
    for raw in text.split(","):
        path = [p.strip() for p in raw.strip().split(".") if p.strip()]
        if not path:
            continue
        if len(path) > MAX_EXPAND_DEPTH:
            raise BadRequestError(f"Expand is limited to {MAX_EXPAND_DEPTH} levels.",
                                  {"expand": {"code": "validation_expand_too_deep",
                                              "message": f"At most {MAX_EXPAND_DEPTH} levels."}})
        node = tree
        for part in path:
            node = node.setdefault(part, {})
    return tree


def _related(loader: RecordLoader, collection: Collection, record: StoredRecord, name: str
             ) -> tuple[Collection, list[StoredRecord], bool] | None:
    if "_via_" in name:
        target_name, _, field_name = name.partition("_via_")
        target = loader.collections.find(target_name)
        field = target.collection.field_by_name(field_name) if target else None
        if target is None or field is None or getattr(field, "collection_id", "") != collection.id:
            return None
        rows = loader.referencing(target.collection, field_name, collection.id, [record.id],
                                  limit=BACK_RELATION_EXPAND_LIMIT)
        # a back-relation through a single relation field behaves as multiple, as in PocketBase
        return target.collection, rows, True
    field = collection.field_by_name(name)
    if field is None or field.field_type != "relation":
        return None
    target = loader.collections.find(getattr(field, "collection_id", ""))
    if target is None:
        return None
    ids = [i for i in field_values(collection, record, name)[0] if i]
    return target.collection, loader.many(target.collection, ids), field.is_multiple()


def expand_records(loader: RecordLoader, collection: Collection, pairs: list[tuple[StoredRecord, dict[str, Any]]],
                   tree: dict[str, Any], visible: Visible, to_json: ToJson) -> None:
    """Fill each record JSON's `expand` in place, per the expand tree."""
    for record, body in pairs:
        expanded: dict[str, Any] = {}
        for name, subtree in tree.items():
            found = _related(loader, collection, record, name)
            if found is None:
                continue
            target, rows, multiple = found
            rows = [r for r in rows if visible(target, r)]
            if not rows:
                continue
            bodies = [(r, to_json(target, r)) for r in rows]
            if subtree:
                expand_records(loader, target, bodies, subtree, visible, to_json)
            expanded[name] = [b for _, b in bodies] if multiple else bodies[0][1]
        if expanded:
            body["expand"] = expanded
