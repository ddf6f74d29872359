"""Renaming a template's collections everywhere a name is written: relations, back-relations (`x_via_y`),
`@collection.x` in rules and filters, view queries, index tables, saved views and sample data. Apply adds a
prefix with it; export strips one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec.structs import replace

from shared.collections.indexes import build_index, try_parse_index
from shared.templates.model import TemplateFile, TemplateView

_COLLECTION_REFERENCE = re.compile(r"@collection\.(\w+)")
# the shortest name before `_via_`, so `comments_via_post` is the collection `comments`
_BACK_RELATION = re.compile(r"\b([A-Za-z0-9_]+?)_via_")
_RULE_KEYS = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule", "authRule", "manageRule")
# the options of linked computed fields that hold a back-relation name or a filter over the linked records
_LINKED_OPTIONS = ("relation", "filter")


class Renamer:
    """Maps collection names (case-insensitively) through `names`; names it does not hold are kept."""

    def __init__(self, names: dict[str, str], slug: Callable[[str], str] = lambda slug: slug) -> None:
        self.names = {old.lower(): new for old, new in names.items()}
        self.slug = slug

    def name(self, name: str) -> str:
        return self.names.get(name.lower(), name)

    def text(self, text: str | None) -> str | None:
        """A rule or filter with its `@collection.x` and back-relation names renamed."""
        if not text:
            return text
        text = _COLLECTION_REFERENCE.sub(lambda m: "@collection." + self.name(m.group(1)), text)
        return _BACK_RELATION.sub(lambda m: self.name(m.group(1)) + "_via_", text)

    def query(self, sql: str) -> str:
        """A view collection's SELECT with its table names renamed (sqlglot, as view queries are parsed)."""
        if not sql or not any(re.search(rf"\b{re.escape(old)}\b", sql, re.IGNORECASE) for old in self.names):
            return sql
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(sql, read="sqlite")
        for table in tree.find_all(exp.Table):
            if table.name.lower() in self.names:
                table.set("this", exp.to_identifier(self.name(table.name)))
        return tree.sql(dialect="sqlite")

    def index(self, raw: str, table: str) -> str:
        spec = try_parse_index(raw)
        return build_index(replace(spec, table=table)) if spec is not None else raw

    def collection(self, body: dict[str, Any]) -> dict[str, Any]:
        renamed = dict(body)
        name = self.name(str(body.get("name") or ""))
        renamed["name"] = name
        for key in _RULE_KEYS:
            if isinstance(renamed.get(key), str):
                renamed[key] = self.text(renamed[key])
        if isinstance(renamed.get("viewQuery"), str):
            renamed["viewQuery"] = self.query(renamed["viewQuery"])
        if isinstance(renamed.get("indexes"), list):
            renamed["indexes"] = [self.index(raw, name) if isinstance(raw, str) else raw for raw in renamed["indexes"]]
        if isinstance(renamed.get("fields"), list):
            renamed["fields"] = [self._field(field) for field in renamed["fields"]]
        return renamed

    def _field(self, field: Any) -> Any:
        if not isinstance(field, dict):
            return field
        renamed = dict(field)
        if renamed.get("type") == "relation" and isinstance(renamed.get("collectionId"), str):
            renamed["collectionId"] = self.name(renamed["collectionId"])
        for key in _LINKED_OPTIONS:
            if isinstance(renamed.get(key), str):
                renamed[key] = self.text(renamed[key])
        return renamed

    def view(self, view: TemplateView) -> TemplateView:
        rules = view.colorRules
        if rules is not None:
            rules = [{**rule, "filter": self.text(rule["filter"])} if isinstance(rule.get("filter"), str) else rule
                     for rule in rules]
        return view.model_copy(update={
            "collection": self.name(view.collection), "filter": self.text(view.filter) or "",
            "viewRule": self.text(view.viewRule), "manageRule": self.text(view.manageRule), "colorRules": rules,
            "slug": self.slug(view.slug) if view.slug else ""})

    def template(self, template: TemplateFile) -> TemplateFile:
        return template.model_copy(update={
            "collections": [self.collection(body) for body in template.collections],
            "views": [self.view(view) for view in template.views],
            "sampleData": {self.name(name): records for name, records in template.sampleData.items()}})


def with_prefix(template: TemplateFile, prefix: str) -> TemplateFile:
    """The template with `prefix` before each of its collection names (and its views' slugs)."""
    if not prefix:
        return template
    names = {name: prefix + name for name in template.collection_names()}
    return Renamer(names, slug=lambda slug: prefix.lower() + slug).template(template)


def without_prefix(template: TemplateFile, prefix: str) -> TemplateFile:
    """The template with `prefix` taken off the collection names (and slugs) that start with it."""
    if not prefix:
        return template
    names = {name: name[len(prefix):] for name in template.collection_names()
             if name.lower().startswith(prefix.lower()) and len(name) > len(prefix)}
    slug_prefix = prefix.lower()
    return Renamer(names, slug=lambda slug: slug[len(slug_prefix):] if slug.startswith(slug_prefix) else slug
                   ).template(template)
