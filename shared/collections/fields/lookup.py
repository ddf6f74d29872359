"""The "lookup" field: the values of one field of the linked records, and the link contract rollup and count share.

A linked field names its link in `relation`: a relation field of its own collection (forward: the parent holds
the ids), or a back-relation `<collection>_via_<field>` (the linked records hold a relation to the parent).
Its values are stored on the record and maintained from the change stream (shared/changes/linked_fields.py),
so they filter and sort like any field; clients never write them.
"""


import re
from typing import Any, Literal

import msgspec

from shared.collections.field_errors import FieldError
from shared.collections.fields.base import SettingsContext, run_checks
from shared.collections.fields.computed import ComputedField, FieldRef, FindCollection
from shared.tools.filter import FilterError, identifier_paths, parse_filter
from shared.tools.formula.types import ANY, BOOL, DATE, NUMBER, TEXT, ValueType, list_of

VIA = "_via_"
LINKED_TYPES = ("lookup", "rollup", "count")
# the record keys a filter on the linked records may name besides their fields
_FILTER_KEYS = ("id", "collectionId", "collectionName")
_AT_ROOT = re.compile(r"@(request|collection)\b")


class Link(msgspec.Struct, frozen=True):
    """A resolved link: `source` is the linked records' collection, `relation` the relation field that links.

    forward: `relation` is a field of the parent pointing at `source`; back: a field of `source` pointing at
    the parent.
    """

    kind: Literal["forward", "back"]
    source: Any  # Collection (a model importing this module)
    relation: Any  # RelationField


def resolve_link(collection: Any, relation: str, find: Any) -> Link | str:
    """The link `relation` names from `collection`, or what is wrong with it."""
    if not relation:
        return "Missing relation: a relation field of this collection or <collection>_via_<field>."
    if VIA in relation:
        source_key, _, field_name = relation.partition(VIA)
        source = find(source_key)
        if source is None:
            return f"Unknown collection {source_key!r} in {relation!r}."
        back = source.field_by_name(field_name)
        if back is None or back.field_type != "relation" or getattr(back, "collection_id", "") != collection.id:
            return f"{source.name}.{field_name} is not a relation field pointing at this collection."
        return Link("back", source, back)
    own = collection.field_by_name(relation)
    if own is None or own.field_type != "relation":
        return f"Unknown relation field {relation!r}."
    target = find(getattr(own, "collection_id", ""))
    if target is None:
        return f"The collection of relation {relation!r} does not exist."
    return Link("forward", target, own)


def filter_problem(text: str, source: Any) -> str | None:
    """What is wrong with a filter on the linked records (only their own fields), or None."""
    if not text.strip():
        return None
    try:
        expr = parse_filter(text)
    except FilterError as exc:
        return f"Invalid filter: {exc}"
    # identifier_paths leaves the @ roots out: a request or another collection has no meaning here
    if _AT_ROOT.search(text):
        return "The filter cannot use @request or @collection: it is evaluated on stored records, not a request."
    for path in identifier_paths(expr):
        if len(path) != 1 or (path[0] not in _FILTER_KEYS and source.field_by_name(path[0]) is None):
            return f"Unknown field {'.'.join(path)!r} of {source.name} in the filter."
    return None


class LinkedField(ComputedField):
    """Options every linked field has: the link, and an optional filter selecting which linked records count.

    Maintained from the change stream (computed_in_write is False): shared/changes/linked_fields.py.
    """

    definition_option = "relation"
    relation: str = ""
    filter: str = ""

    def from_stored(self, stored: Any) -> Any:
        return self.default_value() if stored is None else stored

    def context_link(self, context: SettingsContext) -> Link | None:
        """The link as the collection being saved would have it."""
        own = context.find_collection(context.collection_id)
        return self.link(own, context.find_collection) if own is not None else None

    def depends_on(self, collection: Any, find_collection: FindCollection) -> set[FieldRef]:
        """The link's relation field, the target field and the fields the filter reads, of the linked records."""
        link = self.link(collection, find_collection)
        if link is None:
            return set()
        owner = collection if link.kind == "forward" else link.source
        refs = {FieldRef(owner.id, link.relation.name)}
        target = str(getattr(self, "field", "") or "")
        if target and target != "id":
            refs.add(FieldRef(link.source.id, target))
        refs |= {FieldRef(link.source.id, n) for n in self.filter_names() if link.source.field_by_name(n) is not None}
        return refs

    def link(self, collection: Any, find: Any) -> Link | None:
        found = resolve_link(collection, self.relation, find)
        return found if isinstance(found, Link) else None

    def validate_link(self, context: SettingsContext, errors: dict[str, FieldError]) -> Link | None:
        """Check `relation` and `filter`; the resolved link when both are valid."""
        own = context.find_collection(context.collection_id)
        if own is None:
            return None
        found = resolve_link(own, self.relation, context.find_collection)

        def relation_ok() -> None:
            if isinstance(found, str):
                raise FieldError("validation_invalid_relation", found)

        run_checks(errors, "relation", relation_ok)
        if not isinstance(found, Link):
            return None

        def filter_ok() -> None:
            problem = filter_problem(self.filter, found.source)
            if problem:
                raise FieldError("validation_invalid_filter", problem)

        run_checks(errors, "filter", filter_ok, lambda: self.check_no_clock(found, self.filter_names(), "filter"))
        return found if "filter" not in errors else None

    def filter_names(self) -> set[str]:
        """The linked records' fields the filter reads (none when it does not parse: its own check says so)."""
        if not self.filter.strip():
            return set()
        try:
            return {p[0] for p in identifier_paths(parse_filter(self.filter))}
        except FilterError:
            return set()

    def check_no_clock(self, link: Link, names: set[str], option: str) -> None:
        """A stored value cannot read a linked value that depends on NOW() or TODAY(): that one is evaluated on
        read, and what this field stored from it would go stale with no write to refresh it."""
        from shared.collections.computed_graph import time_dependent_names

        clock = sorted(names & time_dependent_names(link.source))
        if clock:
            raise FieldError(
                "validation_time_dependent_linked",
                f"{link.source.name}.{clock[0]} depends on NOW() or TODAY(): it is evaluated on read, so a stored "
                f"{self.field_type} cannot read it{' in its filter' if option == 'filter' else ''}; use a formula "
                "on this collection over the stored values instead.")


class LookupField(LinkedField):
    """The values of `field` of the linked records (those the filter selects), a list in id order."""

    type: Literal["lookup"] = "lookup"
    field: str = ""

    def default_value(self) -> list[Any]:
        return []

    def is_multiple(self) -> bool:
        return True

    def value_type(self, context: SettingsContext) -> ValueType:
        link = self.context_link(context)
        kind = target_type(link, self.field, context.find_collection) if link is not None else ""
        return list_of(scalar_type(kind))

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        link = self.validate_link(context, errors)
        if link is not None:
            run_checks(errors, "field", lambda: check_target(link, self.field),
                       lambda: self.check_no_clock(link, {self.field}, "field"))


def check_target(link: Link, name: str) -> None:
    """The target must be a field of the linked records (their id included)."""
    if not name:
        raise FieldError("validation_required", "Cannot be blank.")
    if name != "id" and link.source.field_by_name(name) is None:
        raise FieldError("validation_unknown_field", f"Unknown field {name!r} of {link.source.name}.")


# links followed when a target is itself a linked field (a rollup over a lookup over a rollup ...): a cycle is
# refused by the dependency graph after the fields' own checks, which must not recurse forever before it
_MAX_TARGET_HOPS = 16


def target_type(link: Link, name: str, find: Any = None, hops: int = 0) -> str:
    """The type of the values a target field yields, as the aggregates see it: a computed target (a formula, a
    lookup, a rollup, a count of the linked records) by the type of its values, a list by its items' type
    (aggregates spread lists); `find` resolves the links of linked targets. "json" when only known per value (a
    formula of type any, a linked target whose link does not resolve), "" for no such field."""
    if name == "id":
        return "text"
    target = link.source.field_by_name(name)
    if target is None:
        return ""
    kind = target.field_type
    if kind == "count":
        return "number"
    if kind == "formula":
        # set when its collection was saved; not yet while an import validates the collections in turn
        result = str(getattr(target, "result_type", "") or "") or str(target.value_type(SettingsContext(
            collection_id=link.source.id, sibling_fields=link.source.fields,
            find_collection=find or (lambda _key: None))))
        result = result.removeprefix("list of ")
        return {"any": "json", "": "json"}.get(result, result)
    if kind in ("rollup", "lookup"):
        if kind == "rollup" and getattr(target, "aggregate", "") not in ("MIN", "MAX"):
            return str(target.result_type())
        inner = target.link(link.source, find) if find is not None and hops < _MAX_TARGET_HOPS else None
        return target_type(inner, target.field, find, hops + 1) if inner is not None else "json"
    return kind


def scalar_type(kind: str) -> ValueType:
    """The formula language's type of a field type's values."""
    if kind == "number":
        return NUMBER
    if kind == "bool":
        return BOOL
    if kind in ("date", "autodate"):
        return DATE
    if kind in ("text", "email", "url", "editor", "select", "relation"):
        return TEXT
    return ANY
