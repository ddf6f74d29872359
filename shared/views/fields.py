"""Checks a parsed view against the catalog and infers its fields, as PocketBase's CreateViewFields does.

PocketBase's rules (core/view.go): the `id` column is a system text field; `COUNT(...)` an integer number; a
CAST to a number, text or bool type that field; a plain column of a collection's field a clone of that field
(options kept, a new `_clone_xxxx` id, the column's name); a collection's `id` column a single relation to that
collection; anything else (other aggregates, expressions) a json field.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from sqlglot import exp

from shared.collections.fields import BaseField, BoolField, JSONField, NumberField, RelationField, TextField
from shared.collections.ids import RECORD_ID_PATTERN, default_field_id, random_string
from shared.collections.indexes import try_parse_index
from shared.collections.model import Collection
from shared.views.subset import ColumnRef, ViewQuery, ViewQueryError

FindCollection = Callable[[str], Collection | None]
MISSING_ID = ("Invalid query - missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you "
              "don't have one).")


class ViewFieldsError(ViewQueryError):
    """A query whose fields could be inferred only partly: `fields` is what PocketBase would still report."""

    def __init__(self, message: str, fields: list[BaseField]) -> None:
        super().__init__(message)
        self.fields = fields


class ViewSources(msgspec.Struct, frozen=True):
    """The collections a view reads, by alias, and the relation field each join follows."""

    source: Collection
    by_alias: dict[str, Collection]
    join_fields: dict[str, RelationField]  # join alias -> the relation field it follows (of its via alias)


def resolve_sources(query: ViewQuery, find: FindCollection) -> ViewSources:
    """The view's collections; ViewQueryError for a missing table, a view as a source or a wrong join."""
    source = _collection(query.source, find)
    by_alias = {query.source_alias: source}
    join_fields: dict[str, RelationField] = {}
    for join in query.joins:
        target = _collection(join.table, find)
        via = by_alias[join.via_alias or query.source_alias]
        field = _field(via, join.via_column)
        if not isinstance(field, RelationField) or field.collection_id != target.id:
            raise ViewQueryError(f"Invalid query - {via.name}.{join.via_column} is not a relation field to "
                                 f"{join.table}.")
        if field.is_multiple():
            raise ViewQueryError(f"Invalid query - LEFT JOIN along the multiple relation {join.via_column} is not "
                                 "supported in a materialized view (one row per source record).")
        by_alias[join.alias] = target
        join_fields[join.alias] = field
    sources = ViewSources(source, by_alias, join_fields)
    for column in query.columns:
        for node in [column.expression, *([query.where] if query.where is not None else [])]:
            _check_columns(node, query, sources)
    if query.group_by:
        _check_group_keys(query, source)
    return sources


def relation_key(query: ViewQuery, source: Collection) -> RelationField | None:
    """The single relation field a view grouped by it groups by, when every plain column is that key: its groups'
    members are then found through the reverse-relation index (shared/views/rows.py), and MIN, MAX and joins
    follow. Any other GROUP BY is of columns, kept by per-group sums (shared/views/group_sums.py)."""
    if len(query.group_by) != 1:
        return None
    key = _field(source, query.group_by[0].name)
    if not isinstance(key, RelationField) or key.is_multiple():
        return None
    plain = all(c.aggregate is not None or (c.ref is not None and c.ref.name.lower() == key.name.lower())
                for c in query.columns)
    return key if plain else None


def _check_group_keys(query: ViewQuery, source: Collection) -> None:
    for ref in query.group_by:
        field = _field(source, ref.name)
        if field is None and ref.name.lower() != "id":
            raise ViewQueryError(f"Invalid query - no such column: {ref.name}.")
        if field is not None and field.is_multiple():
            raise ViewQueryError(f"Invalid query - GROUP BY the multiple-valued field {ref.name} is not supported "
                                 "in a materialized view.")
    if relation_key(query, source) is not None:
        return
    # Grouped by other columns: each group is kept by its sums and counts, updated per change (an index finds a
    # group's members only if one is declared); what those cannot follow is refused.
    if query.joins:
        raise ViewQueryError("Invalid query - LEFT JOIN in a view grouped by other than one relation field is not "
                             "supported in a materialized view.")
    extreme = next((c.aggregate for c in query.columns if c.aggregate in ("min", "max")), None)
    if extreme is not None and group_index(query, source) is None:
        # a group's extreme, once removed, is found again among its members: only an index lists them
        names = ", ".join(k.name for k in query.group_by)
        raise ViewQueryError(f"Invalid query - {extreme.upper()}() in a view grouped by other than one relation "
                             f"field needs an index of {source.name} on the GROUP BY columns ({names}), e.g. "
                             f"`CREATE INDEX idx_{source.name}_group ON {source.name} ({names})`.")


def group_index(query: ViewQuery, source: Collection) -> str | None:
    """The name of a declared index of the source whose leading columns are the GROUP BY columns, if any."""
    wanted = {k.name.lower() for k in query.group_by}
    for raw in source.indexes:
        spec = try_parse_index(raw)
        if spec is not None and spec.where is None and \
                {c.name.lower() for c in spec.columns[:len(wanted)]} == wanted:
            return spec.name
    return None


def _collection(name: str, find: FindCollection) -> Collection:
    found = find(name)
    if found is None or found.name != name:
        raise ViewQueryError(f"Invalid query - no such table: {name}.")
    if found.type == "view":
        raise ViewQueryError(f"Invalid query - the view {name} as a source is not supported in a materialized view.")
    return found


def _field(collection: Collection, name: str) -> BaseField | None:
    return next((f for f in collection.fields if f.name.lower() == name.lower()), None)


def _check_columns(node: exp.Expression, query: ViewQuery, sources: ViewSources) -> None:
    for column in node.find_all(exp.Column):
        collection = sources.by_alias.get(column.table or query.source_alias)
        if collection is None or _field(collection, column.name) is None:
            raise ViewQueryError(f"Invalid query - no such column: {column.sql(dialect='sqlite')}.")


def infer_fields(query: ViewQuery, sources: ViewSources) -> list[BaseField]:
    """The view collection's fields, in column order; ViewFieldsError when there is no id column."""
    fields: list[BaseField] = []
    for column in query.columns:
        field = _infer(column.name, column.expression, column.aggregate, query, sources)
        if not field.id:
            field.id = default_field_id(field.field_type, field.name, {f.id for f in fields})
        fields.append(field)
    if not any(f.name == "id" for f in fields):
        raise ViewFieldsError(MISSING_ID, fields)
    return fields


def _id_field() -> TextField:
    field = TextField(name="id", system=True, required=True, primary_key=True, pattern=RECORD_ID_PATTERN)
    field.id = default_field_id("text", "id")
    return field


def _infer(name: str, node: exp.Expression, aggregate: str | None, query: ViewQuery,
           sources: ViewSources) -> BaseField:
    if name == "id":
        return _id_field()
    if aggregate == "count":
        return NumberField(name=name, only_int=True)
    if aggregate is not None:
        return JSONField(name=name, max_size=1)
    if isinstance(node, exp.Cast):
        to = node.to.this.value if hasattr(node.to.this, "value") else str(node.to.this)
        cast: BaseField | None = {"REAL": NumberField(name=name), "DECIMAL": NumberField(name=name),
                                  "DOUBLE": NumberField(name=name), "INT": NumberField(name=name, only_int=True),
                                  "BIGINT": NumberField(name=name, only_int=True),
                                  "TEXT": TextField(name=name), "BOOLEAN": BoolField(name=name)}.get(to)
        if cast is not None:
            return cast
    if not isinstance(node, exp.Column):
        return JSONField(name=name, max_size=1)
    ref = ColumnRef(node.table or query.source_alias, node.name)
    collection = sources.by_alias[ref.alias]
    found = _field(collection, ref.name)
    if found is None:
        return JSONField(name=name, max_size=1)
    if ref.name.lower() == "id":
        return RelationField(name=name, max_select=1, collection_id=collection.id)
    clone = found.model_copy(deep=True)
    # a new id, so that the same field selected twice gives two fields (as PocketBase)
    clone.id, clone.name = "_clone_" + random_string(4), name
    return clone


def source_field(query: ViewQuery, sources: ViewSources, ref: ColumnRef) -> BaseField | None:
    """The collection field a column reads (unqualified: the source's)."""
    collection = sources.by_alias.get(ref.alias or query.source_alias)
    return _field(collection, ref.name) if collection is not None else None
