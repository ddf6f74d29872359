"""`expand`: relations and back-relations inlined up to six levels, each respecting its viewRule.

As PocketBase (core/record_query_expand.go), each expand path is applied on its own, level by level:

- a path whose name at some level is not a relation, a back-relation (`posts_via_author`, or the legacy
  `posts(author)`) or whose collection the caller may not view at all (no viewRule) is dropped whole, and
  leaves no `expand` key behind;
- otherwise every record of that level gets an `expand` object, `{}` when it has nothing to expand (no
  related record, or none the caller may view), and each related record is inlined under the name as
  written: a list for a multiple relation or a back-relation, one object otherwise (a back-relation
  through a field with a single-column UNIQUE index is one object too);
- levels past the sixth are ignored, and paths contained in longer ones are merged (`a,a.b` is `a.b`);
- the related records' viewRules see `@request.context = "expand"`;
- a relation field whose readRule fails for a record expands nothing for that record, and a back-relation
  skips the records whose linking field the caller may not read (docs/rules.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec

from shared.collections.indexes import find_single_column_unique_index
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader, field_values
from shared.tools.filter import FilterError

MAX_EXPAND_DEPTH = 6
# As PocketBase (core/record_query_expand.go): a back-relation expands at most this many records, read no further.
BACK_RELATION_EXPAND_LIMIT = 1000
# `@request.context` while related records' viewRules are checked, as in PocketBase
EXPAND_CONTEXT = "expand"

Visible = Callable[[Collection, StoredRecord], bool]
ToJson = Callable[[Collection, StoredRecord], dict[str, Any]]
# whether the caller may read a field of a record (its readRule, shared/records/field_rules.py)
Readable = Callable[[Collection, StoredRecord, str], bool]
Pair = tuple[StoredRecord, dict[str, Any]]

_BACK_RELATION = re.compile(r"^(\w+)_via_(\w+)$")
_LEGACY_BACK_RELATION = re.compile(r"^(\w+)\((\w+)\)$")


def parse_expand(text: str) -> list[str]:
    """`a.b, a ,c.` -> ["a.b", "c"]: spaces and dangling dots dropped, paths inside longer ones merged."""
    paths = [p.replace(" ", "").strip(".") for p in text.split(",")]
    paths = [p for p in paths if p]
    kept = [p for p in paths if not any(other.startswith(p + ".") for other in paths if other != p)]
    return list(dict.fromkeys(kept))


class _Relation(msgspec.Struct, frozen=True):
    target: Collection
    multiple: bool
    ids_of: Callable[[StoredRecord], list[str]]


def _everything_readable(_collection: Collection, _record: StoredRecord, _name: str) -> bool:
    return True


def _relation(loader: RecordLoader, collection: Collection, name: str, records: list[StoredRecord],
              readable: Readable = _everything_readable) -> _Relation | None:
    back = _BACK_RELATION.match(name) or _LEGACY_BACK_RELATION.match(name)
    if back:
        stored = loader.collections.find(back.group(1))
        field = stored.collection.field_by_name(back.group(2)) if stored else None
        if stored is None or field is None or getattr(field, "collection_id", "") != collection.id:
            return None
        target = stored.collection
        ids = {r.id for r in records}
        referencing: dict[str, list[str]] = {}
        for row in loader.referencing(target, field.name, collection.id, sorted(ids), limit=BACK_RELATION_EXPAND_LIMIT):
            if not readable(target, row, field.name):
                continue  # the row's link is a value the caller may not read: no back-relation through it
            for ref in field_values(target, row, field.name)[0]:
                if ref in ids and len(referencing.setdefault(ref, [])) < BACK_RELATION_EXPAND_LIMIT:
                    referencing[ref].append(row.id)
        unique = find_single_column_unique_index(target.indexes, field.name) is not None
        return _Relation(target, not unique, lambda r: referencing.get(r.id, []))
    field = collection.field_by_name(name)
    if field is None or field.field_type != "relation":
        return None
    stored = loader.collections.find(getattr(field, "collection_id", ""))
    if stored is None:
        return None
    return _Relation(stored.collection, field.is_multiple(),
                     lambda r: [i for i in field_values(collection, r, field.name)[0] if i]
                     if readable(collection, r, field.name) else [])


def expand_records(loader: RecordLoader, collection: Collection, pairs: list[Pair], paths: list[str],
                   visible: Visible, to_json: ToJson, *, readable: Readable = _everything_readable) -> None:
    """Fill each record JSON's `expand` in place, path by path (see the module docstring)."""
    previous, loader.context_override = loader.context_override, EXPAND_CONTEXT
    try:
        for path in paths:
            _expand_path(loader, collection, pairs, path.split("."), 1, visible, to_json, readable)
    except FilterError as exc:
        raise BadRequestError(f"Failed to expand the records: {exc} Expand fewer relations or narrow them.",
                              {"expand": {"code": "validation_invalid_expand", "message": str(exc)}}) from exc
    finally:
        loader.context_override = previous


def _expand_path(loader: RecordLoader, collection: Collection, pairs: list[Pair], parts: list[str], level: int,
                 visible: Visible, to_json: ToJson, readable: Readable) -> bool:
    """Expand one path below `pairs`; False when the path is invalid and must leave no trace."""
    if not parts or level > MAX_EXPAND_DEPTH or not pairs:
        return True
    name = parts[0]
    relation = _relation(loader, collection, name, [r for r, _ in pairs], readable)
    if relation is None:
        return False
    target = relation.target
    # a collection without a viewRule is superusers-only: expanding it fails the whole path, as in PocketBase
    if target.view_rule is None and not visible(target, StoredRecord(target.id, "", {})):
        return False
    wanted = list(dict.fromkeys(i for record, _ in pairs for i in relation.ids_of(record)))
    # each related record is shown only if the caller may view it (its viewRule, for this request)
    rows = [r for r in loader.many(target, wanted) if visible(target, r)]
    related = {r.id: (r, to_json(target, r)) for r in rows}
    if not _expand_path(loader, target, list(related.values()), parts[1:], level + 1, visible, to_json, readable):
        return False
    for record, body in pairs:
        expanded = body.setdefault("expand", {})
        found = [related[i][1] for i in relation.ids_of(record) if i in related]
        if not found:
            continue
        _keep_earlier_expands(expanded.get(name), found)
        expanded[name] = found if relation.multiple else found[0]
    return True


def _keep_earlier_expands(previous: Any, found: list[dict[str, Any]]) -> None:
    """An earlier path's nested expands survive on the same related records (`a.b,a.c`)."""
    earlier = previous if isinstance(previous, list) else [previous] if isinstance(previous, dict) else []
    by_id = {b.get("id"): b for b in earlier}
    for body in found:
        old = by_id.get(body.get("id"))
        if old is not None and old is not body and isinstance(old.get("expand"), dict):
            body["expand"] = {**old["expand"], **body.get("expand", {})}
