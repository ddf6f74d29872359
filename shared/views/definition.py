"""A view collection's maintained definition: its parsed query, its source collections and its fields."""

from __future__ import annotations

from functools import lru_cache

import msgspec

from shared.collections.fields import BaseField, RelationField
from shared.collections.model import Collection
from shared.views.fields import FindCollection, ViewSources, infer_fields, relation_key, resolve_sources
from shared.views.subset import ViewQuery, parse_view_query


@lru_cache(maxsize=256)
def parsed(view_query: str) -> ViewQuery:
    """The parsed query; cached, as every stream batch looks at every view (sqlglot ASTs are not mutated here)."""
    return parse_view_query(view_query)


def view_fields(view_query: str, find: FindCollection) -> list[BaseField]:
    """The fields of a view with this query (validation's InferViewFields); ViewQueryError when refused."""
    query = parsed(view_query)
    return infer_fields(query, resolve_sources(query, find))


class ViewDefinition(msgspec.Struct, frozen=True):
    """A stored view collection with what maintaining it needs."""

    view: Collection
    query: ViewQuery
    sources: ViewSources

    @property
    def source(self) -> Collection:
        return self.sources.source

    @property
    def group_field(self) -> RelationField | None:
        """The relation field a view grouped by one relation groups by (its rows recomputed from their members)."""
        return relation_key(self.query, self.source)

    @property
    def column_grouped(self) -> bool:
        """Grouped by other columns: rows kept from per-group sums (shared/views/group_sums.py)."""
        return bool(self.query.group_by) and self.group_field is None

    def reads(self, collection_id: str) -> bool:
        return any(c.id == collection_id for c in self.sources.by_alias.values())


def definition_of(view: Collection, find: FindCollection) -> ViewDefinition | None:
    """The view's definition against the catalog as it is now; None if it no longer resolves (a source deleted
    or changed since): such a view keeps its rows until its query is saved again."""
    try:
        query = parsed(view.view_query)
        return ViewDefinition(view, query, resolve_sources(query, find))
    except ValueError:
        return None


def views_broken_by(catalog: list[Collection], changed: Collection, *, deleted: bool = False) -> dict[str, str]:
    """The views (name -> why) that would no longer resolve once `changed` is saved (or deleted)."""
    names = {changed.name} | {c.name for c in catalog if c.id == changed.id}  # a rename breaks a view too
    by_name = {c.name: c for c in catalog if c.id != changed.id}
    if not deleted:
        by_name[changed.name] = changed
    by_id = {c.id: c for c in by_name.values()}

    def find(id_or_name: str) -> Collection | None:
        return by_name.get(id_or_name) or by_id.get(id_or_name)

    broken: dict[str, str] = {}
    for view in catalog:
        if not view.is_view or view.id == changed.id:
            continue
        try:
            query = parsed(view.view_query)
        except ValueError:
            continue  # never maintained: nothing to break
        if not names & {query.source, *(j.table for j in query.joins)}:
            continue
        try:
            resolve_sources(query, find)
        except ValueError as exc:
            broken[view.name] = str(exc)
    return broken
