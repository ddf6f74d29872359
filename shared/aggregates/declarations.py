"""A collection's maintained aggregates resolved against its fields, and the 400 naming what does not fit.

A declaration (shared/collections/aggregate_options.py) is checked on every collection save: at most
MAX_MAINTAINED a collection, a unique name, group-by terms as an ad hoc request takes them (select, relation,
bool, a date truncated, a number bucketed; at most 3), and metrics `count()`, `sum(f)` or `avg(f)` only.
Those three are sums and counts, which a change adds to and takes away from. `min`/`max` would need the whole
group again whenever its extreme leaves, and `percentile`/`countDistinct` the whole group always: they stay
ad hoc.

A definition is identified by its digest over field ids (not names), so renaming a field keeps its aggregate
(the declaration's texts follow the rename, see `follow_renames`); changing the terms or metrics is a new
aggregate, built again.
"""

from __future__ import annotations

import hashlib
import json
import re
from math import prod
from typing import Any

import msgspec

from shared.aggregates.grouping import term_problem
from shared.aggregates.spec import GroupTerm, Metric, parse_metric, parse_term
from shared.collections.aggregate_options import MaintainedAggregate
from shared.collections.fields import BaseField
from shared.collections.model import Collection
from shared.errors import BadRequestError

MAX_MAINTAINED = 4
MAINTAINED_METRICS = ("count", "sum", "avg")
# groups one record may fall in (the product of its multiple terms' maxSelect): a change rewrites each of them
# in one transaction while the aggregate builds (shared/aggregates/dynamo_groups.py), and DynamoDB allows 100
MAX_KEYS_PER_RECORD = 16
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")
COUNT_SUM = "n"


def sum_name(field_id: str) -> str:
    """The stored sum of a number field in a group item."""
    return f"sum_{field_id}"


class MaintainedDefinition(msgspec.Struct, frozen=True):
    """One declared aggregate with its fields resolved: what the stream keeps and what a request may match."""

    name: str
    terms: tuple[tuple[GroupTerm, BaseField], ...]
    metrics: tuple[tuple[Metric, BaseField | None], ...]

    @property
    def digest(self) -> str:
        shape = [[[f.id, t.truncate, t.bucket] for t, f in self.terms],
                 sorted([m.name, f.id if f else None] for m, f in self.metrics)]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]

    @property
    def sum_fields(self) -> tuple[BaseField, ...]:
        """The number fields whose sums the groups keep (for `sum` and `avg`)."""
        found = {f.id: f for _, f in self.metrics if f is not None}
        return tuple(found.values())


class DeclarationError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _multiplicity(field: BaseField) -> int:
    return max(1, int(getattr(field, "max_select", 1) or 1)) if field.is_multiple() else 1


def resolve(collection: Collection, declared: MaintainedAggregate) -> MaintainedDefinition:
    """The definition of one declaration; DeclarationError naming its key (`name`, `groupBy`, `metrics`) else."""
    if not _NAME.match(declared.name):
        raise DeclarationError("name", "A name of letters, digits and _ (at most 50), not starting with a digit.")
    terms: list[tuple[GroupTerm, BaseField]] = []
    if len(declared.group_by) > 3:
        raise DeclarationError("groupBy", "At most 3 group-by terms.")
    for text in declared.group_by:
        term = _parse(parse_term, text.strip(), "groupBy")
        field = collection.field_by_name(term.field)
        if field is None:
            raise DeclarationError("groupBy", f"{term.field!r} is not a field of {collection.name!r}.")
        problem = term_problem(term, field)
        if problem:
            raise DeclarationError("groupBy", problem)
        terms.append((term, field))
    if len({f.id for _, f in terms}) != len(terms):
        raise DeclarationError("groupBy", "A field is grouped twice.")
    if prod(_multiplicity(f) for _, f in terms) > MAX_KEYS_PER_RECORD:
        raise DeclarationError("groupBy", f"A record could fall in more than {MAX_KEYS_PER_RECORD} groups (the "
                                          "product of the multiple fields' maxSelect); group by fewer of them.")
    if not declared.metrics or len(declared.metrics) > 8:
        raise DeclarationError("metrics", "Between 1 and 8 metrics.")
    metrics: list[tuple[Metric, BaseField | None]] = []
    for text in declared.metrics:
        metric = _parse(parse_metric, text.strip(), "metrics")
        if metric.name not in MAINTAINED_METRICS:
            raise DeclarationError("metrics", f"{metric.text} cannot be maintained: only count(), sum(f) and avg(f) "
                                              "are kept incrementally; ask for it ad hoc.")
        field = collection.field_by_name(metric.field) if metric.field else None
        if metric.field and (field is None or field.field_type != "number"):
            raise DeclarationError("metrics", f"{metric.text} needs a number field of {collection.name!r}.")
        metrics.append((metric, field))
    if len({m.text for m, _ in metrics}) != len(metrics):
        raise DeclarationError("metrics", "A metric is repeated.")
    return MaintainedDefinition(declared.name, tuple(terms), tuple(metrics))


def _parse(parse: Any, text: str, key: str) -> Any:
    try:
        return parse(text, key)
    except BadRequestError as exc:
        raise DeclarationError(key, str(next(iter(exc.data.values()))["message"])) from exc


def definitions(collection: Collection) -> list[MaintainedDefinition]:
    """The collection's declarations that resolve (all of them, for a saved collection)."""
    out = []
    for declared in collection.aggregates:
        try:
            out.append(resolve(collection, declared))
        except DeclarationError:
            continue  # a field dropped by a save that skipped the check (an import's second pass): not kept
    return out


def declaration_errors(collection: Collection) -> dict[str, Any]:
    """The 400's `data` for a collection whose declarations do not fit, in PocketBase's nested shape."""
    problems: dict[str, Any] = {}
    if collection.aggregates and collection.is_view:
        return {"aggregates": {"code": "validation_invalid_aggregates",
                               "message": "View collections don't support maintained aggregates."}}
    if len(collection.aggregates) > MAX_MAINTAINED:
        return {"aggregates": {"code": "validation_invalid_aggregates",
                               "message": f"At most {MAX_MAINTAINED} maintained aggregates a collection."}}
    names: set[str] = set()
    for i, declared in enumerate(collection.aggregates):
        try:
            resolve(collection, declared)
            if declared.name in names:
                raise DeclarationError("name", f"The name {declared.name!r} is used twice.")
            names.add(declared.name)
        except DeclarationError as exc:
            problems[str(i)] = {exc.key: {"code": "validation_invalid_aggregate", "message": str(exc)}}
    return {"aggregates": problems} if problems else {}


def follow_renames(collection: Collection, existing: Collection | None) -> None:
    """Rewrite declarations left as they were to the fields' new names (a rename keeps its aggregate)."""
    if existing is None or not existing.aggregates:
        return
    before = {d.name: d for d in existing.aggregates}
    renamed = []
    for declared in collection.aggregates:
        if before.get(declared.name) != declared:
            renamed.append(declared)
            continue
        try:
            old = resolve(existing, declared)
        except DeclarationError:
            renamed.append(declared)
            continue
        terms = [_renamed_term(t, collection.field_by_id(f.id)) for t, f in old.terms]
        metrics = [f"{m.name}({new.name})" if f and (new := collection.field_by_id(f.id)) else m.text
                   for m, f in old.metrics]
        renamed.append(declared.model_copy(update={"group_by": terms, "metrics": metrics}))
    collection.aggregates = renamed


def _renamed_term(term: GroupTerm, field: BaseField | None) -> str:
    # a term is the field's name and a suffix (`:month`, `:bucket(10)`)
    return term.text if field is None else field.name + term.text[len(term.field):]
