"""Rules and filters on records: parsing with a cache, and evaluation with `@collection` join semantics.

PocketBase joins `@collection.name:alias` once per alias, so `?` conditions on the same alias must hold for
the same joined row, while a condition without `?` must hold for every row. We evaluate the `?` ones over
each row binding of the aliases (existentially), and hand the others all rows as a multi-value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from msgspec.structs import replace

from shared.collections.model import Collection
from shared.errors import BadRequestError, ForbiddenError
from shared.records.context import RequestContext
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader, field_values
from shared.records.resolver import RecordResolver
from shared.tools.filter import (
    And,
    Call,
    Compare,
    Expr,
    FilterError,
    FilterEvaluationError,
    Identifier,
    Operand,
    Or,
    Resolved,
    evaluate,
    parse_filter,
)

MAX_BINDINGS = 10_000
_ALL_ROWS = "#all"


@lru_cache(maxsize=512)
def parse_cached(text: str) -> Expr:
    return parse_filter(text)


# Identifier prefixes only a superuser's filter may use; the admin's rules may use them all.
SUPERUSER_ONLY_FILTER_PREFIXES = ("@collection.", "@request.")


def forbid_superuser_only_fields(text: str, *, superuser: bool) -> None:
    """403 when a guest's or user's `filter` or `sort` names `@request.*` or `@collection.*`, as PocketBase.

    They would let a client read other collections or probe what the request carries past the rules. The
    check is PocketBase's loose one, on the raw text, so a quoted "@request." is refused too.
    """
    if superuser:
        return
    for prefix in SUPERUSER_ONLY_FILTER_PREFIXES:
        if prefix in text:
            raise ForbiddenError(f"Only superusers can filter by {prefix}")


def parse_user_filter(text: str, *, superuser: bool) -> Expr | None:
    """A client's `filter` parameter; 403 for superuser-only fields, a 400 in PocketBase's shape when invalid."""
    forbid_superuser_only_fields(text, superuser=superuser)
    if not text:  # only an absent or empty filter is no filter: a blank one is a 400, as in PocketBase
        return None
    try:
        return parse_cached(text)
    except FilterError as exc:
        raise BadRequestError("Invalid filter parameters.", {"filter": {
            "code": "validation_invalid_filter", "message": str(exc)}}) from exc


def parse_rule(text: str | None) -> Expr | None:
    if text is None or not text.strip():
        return None
    return parse_cached(text)


def check_rule(text: str) -> None:
    """Raise when a rule is not a valid filter (used when collections are saved)."""
    parse_cached(text)


def unknown_identifier(text: str, collection: Collection, find: Callable[[str], Collection | None]) -> str | None:
    """Why a rule refers to a field or collection that does not exist, or None when every identifier resolves.

    Checked when a collection is saved, as PocketBase does, so that a typo is a 400 then rather than a
    400 on every later request. `@request.*` values are only known per request, so they are not checked.
    """
    def lookup(id_or_name: str) -> Collection | None:
        return collection if id_or_name in (collection.id, collection.name) else find(id_or_name)

    for identifier in _identifiers(parse_cached(text)):
        if identifier.is_request:
            continue
        target, path = collection, identifier.path
        if identifier.is_collection:
            joined = lookup(identifier.collection_name or "")
            if joined is None:
                return f"unknown collection {identifier.collection_name!r} in {identifier.dotted!r}"
            target, path = joined, path[2:]
        problem = _path_problem(target, list(path), lookup)
        if problem:
            return f"{problem} in {identifier.dotted!r}"
    return None


def _identifiers(expr: Expr) -> list[Identifier]:
    if isinstance(expr, (And, Or)):
        return [i for item in expr.items for i in _identifiers(item)]
    found: list[Identifier] = []
    for operand in (expr.left, expr.right):
        args = operand.args if isinstance(operand, Call) else (operand,)
        found.extend(a for a in args if isinstance(a, Identifier))
    return found


def _path_problem(collection: Collection, path: list[str], lookup: Callable[[str], Collection | None]) -> str | None:
    if not path:
        return "a field is missing"
    name, rest = path[0], path[1:]
    if "_via_" in name:
        target_name, _, field_name = name.partition("_via_")
        target = lookup(target_name)
        relation = target.field_by_name(field_name) if target else None
        if target is None or relation is None or getattr(relation, "collection_id", "") != collection.id:
            return f"unknown back-relation {name!r}"
        return _path_problem(target, rest, lookup) if rest else None
    if name in ("id", "collectionId", "collectionName") and not rest:
        return None
    field = collection.field_by_name(name)
    if field is None:
        return f"unknown field {name!r} of {collection.name!r}"
    if not rest or field.field_type in ("json", "geoPoint"):
        return None
    if field.field_type != "relation":
        return f"the field {name!r} has no sub-fields"
    target = lookup(getattr(field, "collection_id", ""))
    if target is None:
        return f"the relation {name!r} points at a missing collection"
    return _path_problem(target, rest, lookup)


def combine(*exprs: Expr | None) -> Expr | None:
    present = [e for e in exprs if e is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))


def _aliases(expr: Expr, found: dict[str, str]) -> None:
    if isinstance(expr, (And, Or)):
        for item in expr.items:
            _aliases(item, found)
    elif isinstance(expr, Compare) and expr.any_of:
        for side in (expr.left, expr.right):
            if isinstance(side, Identifier) and side.is_collection:
                found[side.collection_alias or ""] = side.collection_name or ""


def _unbind_all_of(expr: Expr) -> Expr:
    """Mark `@collection` identifiers of non-`?` comparisons so they resolve to all rows."""
    if isinstance(expr, And):
        return And(tuple(_unbind_all_of(i) for i in expr.items))
    if isinstance(expr, Or):
        return Or(tuple(_unbind_all_of(i) for i in expr.items))
    if isinstance(expr, Compare) and not expr.any_of:
        return replace(expr, left=_mark(expr.left), right=_mark(expr.right))
    return expr


def _mark(operand: Operand) -> Operand:
    if isinstance(operand, Identifier) and operand.is_collection:
        name = operand.collection_name or ""
        return replace(operand, path=(operand.path[0], f"{name}:{_ALL_ROWS}", *operand.path[2:]))
    return operand


def matches(expr: Expr | None, collection: Collection, record: StoredRecord | None, request: RequestContext,
            loader: RecordLoader, *, allow_hidden: bool, existing: StoredRecord | None = None) -> bool:
    """Whether a record satisfies a parsed rule/filter for this request."""
    if expr is None:
        return True
    aliases: dict[str, str] = {}
    _aliases(expr, aliases)
    prepared = _unbind_all_of(expr)
    try:
        if not aliases:
            return evaluate(prepared, RecordResolver(collection, record, request, loader,
                                                     allow_hidden=allow_hidden, existing=existing))
        row_sets: list[list[StoredRecord | None]] = []
        for name in aliases.values():
            stored = loader.collections.find(name)
            rows: list[StoredRecord | None] = list(loader.all_rows(stored.collection)) if stored else []
            row_sets.append(rows or [None])
        for count, combo in enumerate(itertools.product(*row_sets)):
            if count >= MAX_BINDINGS:
                raise BadRequestError("The rule's @collection joins are too large to evaluate.")
            bindings = dict(zip(aliases.keys(), combo, strict=True))
            if evaluate(prepared, RecordResolver(collection, record, request, loader, allow_hidden=allow_hidden,
                                                 existing=existing, bindings=bindings)):
                return True
        return False
    except FilterEvaluationError as exc:
        raise BadRequestError("Invalid filter parameters.", {"filter": {
            "code": "validation_invalid_filter", "message": str(exc)}}) from exc


class _OwnFieldsResolver:
    """Answers only a record's own fields: what a partial index's WHERE clause may name."""

    def __init__(self, collection: Collection, record: StoredRecord) -> None:
        self.collection = collection
        self.record = record

    def resolve(self, identifier: Identifier) -> Resolved:
        if len(identifier.path) != 1:
            raise FilterEvaluationError(f"{identifier.dotted!r} is not a field of the record.")
        values, multi = field_values(self.collection, self.record, identifier.path[0])
        return Resolved(values, multi=multi)


def evaluate_record_condition(condition: str, collection: Collection, data: dict[str, Any], record_id: str) -> bool:
    """A partial index's WHERE clause on one record's own fields (no request, no relations)."""
    try:
        expr = parse_cached(condition)
        return evaluate(expr, _OwnFieldsResolver(collection, StoredRecord(collection.id, record_id, data)))
    except FilterError:
        return True  # a WHERE our filter language cannot decide: enforce uniqueness everywhere


__all__ = ["check_rule", "combine", "forbid_superuser_only_fields", "matches", "parse_rule", "parse_user_filter",
           "unknown_identifier"]
