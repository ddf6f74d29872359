"""Answering a group-by or a pivot from a maintained aggregate, in O(groups) reads, when that is provably the
same answer.

A request is served from a ready maintained aggregate when:
- its group-by terms are among the aggregate's (any order), and the terms it leaves out are single-valued
  (their groups are then summed: a multiple term would count a record once per value); a pivot asks four
  group-bys of one read (its cells, its rows' and columns' totals and the grand total: `rows,columns`, `rows`,
  `columns` and none), so its terms left out of a total must be single-valued too;
- its metrics are `count()`, and `sum(f)`/`avg(f)` of a field the aggregate sums;
- the caller is a superuser, or the collection's listRule is `""`, or the listRule (and the request's filter)
  name only the aggregate's *exact* group-by fields (a single select, relation or bool, whose group key is the
  record's value) with no `@` value, modifier or function: each group is then kept or left out whole, exactly
  as each of its records would be. Anything else (`@request.auth.id = owner`, a date range on a truncated
  date, a relation walk) would have to look at records, so the request is answered ad hoc;
- the collection carries no per-record rules (`_views`).
The hidden-field and readRule checks of the terms and metrics are the engine's, as for an ad hoc request.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from shared.aggregates.declarations import COUNT_SUM, MaintainedDefinition, sum_name
from shared.aggregates.groups import GroupStore, Sums
from shared.aggregates.maintain import Maintained, maintained_of
from shared.aggregates.metrics import tidy_number
from shared.aggregates.spec import GroupTerm, Metric
from shared.catalog.repository import StoredCollection
from shared.changes.accumulators import add_sums
from shared.collections.fields import BaseField
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope
from shared.tools.filter import And, Compare, Expr, Identifier, Literal, Or

Terms = list[tuple[GroupTerm, BaseField]]
Metrics = list[tuple[Metric, BaseField | None]]


def _signature(term: GroupTerm, field: BaseField) -> tuple[str, str | None, float | None]:
    return field.id, term.truncate, term.bucket


def _exact(term: GroupTerm, field: BaseField) -> bool:
    """Whether a group's key is its records' value of the field (not truncated, bucketed or one of many)."""
    return term.truncate is None and term.bucket is None and not field.is_multiple()


def projection(definition: MaintainedDefinition, terms: Terms, metrics: Metrics) -> list[int] | None:
    """The positions of the request's terms in the aggregate's key, or None when it cannot answer them."""
    positions = {_signature(t, f): i for i, (t, f) in enumerate(definition.terms)}
    wanted = [positions.get(_signature(t, f)) for t, f in terms]
    if any(p is None for p in wanted):
        return None
    left_out = set(range(len(definition.terms))) - set(wanted)
    if any(definition.terms[i][1].is_multiple() for i in left_out):
        return None
    summed = {f.id for f in definition.sum_fields}
    if any(m.name not in ("count", "sum", "avg") or (f is not None and f.id not in summed) for m, f in metrics):
        return None
    return [p for p in wanted if p is not None]


def _names_only(expr: Expr | Any, names: set[str]) -> bool:
    """Whether a filter compares only these plain fields with literals (no `@`, modifier, macro or call)."""
    if isinstance(expr, And | Or):
        return all(_names_only(item, names) for item in expr.items)
    if isinstance(expr, Compare):
        return _names_only(expr.left, names) and _names_only(expr.right, names)
    if isinstance(expr, Literal):
        return True
    if isinstance(expr, Identifier):
        return len(expr.path) == 1 and expr.modifier is None and expr.path[0] in names
    return False


class Served(msgspec.Struct, frozen=True):
    """`answers`: the rows of each group-by asked, in the order asked."""

    answers: list[list[dict[str, Any]]]
    plan: str


def _answers_all(definition: MaintainedDefinition, term_sets: list[Terms], metrics: Metrics) -> bool:
    return all(projection(definition, terms, metrics) is not None for terms in term_sets)


def matching(stored: StoredCollection, term_sets: list[Terms], metrics: Metrics) -> list[Maintained]:
    """The declared aggregates (ready or not) whose groups could answer every one of these group-bys, those of
    fewest terms (so fewest groups to read) first."""
    found = [m for m in maintained_of(stored) if _answers_all(m.definition, term_sets, metrics)]
    return sorted(found, key=lambda m: len(m.definition.terms))


def serve(scope: RecordScope, stored: StoredCollection, term_sets: list[Terms], metrics: Metrics,
          filter_text: str, store: GroupStore) -> Served | None:
    """Each group-by's rows read from one maintained aggregate in one pass over its groups, or None when none
    may answer them all."""
    rules, collection = scope.rules, stored.collection
    if rules.own_rules_apply(collection):
        return None
    rule = rules.rule(collection.list_rule)
    user_filter = rules.user_filter(filter_text)
    for maintained in matching(stored, term_sets, metrics):
        definition = maintained.definition
        exact = {f.name for t, f in definition.terms if _exact(t, f)}
        if not maintained.ready or not all(_names_only(e, exact) for e in (rule, user_filter) if e is not None):
            continue
        positions = [projection(definition, terms, metrics) or [] for terms in term_sets]
        grouped: list[dict[tuple[Any, ...], Sums]] = [{} for _ in term_sets]
        read = 0
        for text, sums in store.groups(collection.id, maintained.state.generation, scope.meter):
            read += 1
            if sums.get(COUNT_SUM, 0) <= 0:
                continue  # every record left the group
            key = tuple(json.loads(text))
            if rule is not None or user_filter is not None:
                # the group as a record holding its key's values: the rule and filter see only those fields
                record = StoredRecord(collection.id, "", {f.id: v for (_, f), v in zip(definition.terms, key,
                                                                                       strict=True)})
                if not (rules.matches(rule, collection, record)
                        and rules.matches(user_filter, collection, record, allow_hidden=rules.is_superuser)):
                    continue
            for groups, wanted in zip(grouped, positions, strict=True):
                add_sums(groups.setdefault(tuple(key[p] for p in wanted), {}), sums)
        answers = [_rows(terms, metrics, groups) for terms, groups in zip(term_sets, grouped, strict=True)]
        return Served(answers, f"maintained aggregate {definition.name}: {read} groups read")
    return None


def _rows(terms: Terms, metrics: Metrics, groups: dict[tuple[Any, ...], Sums]) -> list[dict[str, Any]]:
    if not terms and not groups:
        groups[()] = {}  # no group-by: one group, even over no record
    return [{"key": {t.text: k for (t, _), k in zip(terms, key, strict=True)},
             "metrics": {m.text: _metric(m, f, sums) for m, f in metrics}} for key, sums in groups.items()]


def _metric(metric: Metric, field: BaseField | None, sums: Sums) -> Any:
    count = sums.get(COUNT_SUM, 0)
    if metric.name == "count":
        return tidy_number(count)
    total = sums.get(sum_name(field.id), 0.0) if field is not None else 0.0
    if metric.name == "sum":
        return tidy_number(float(total))
    return tidy_number(total / count) if count else None


def advice(stored: StoredCollection, term_sets: list[Terms], metrics: Metrics) -> str:
    """What the budget's 400 says about maintained aggregates for these group-bys (the first the widest)."""
    terms = term_sets[0]
    found = matching(stored, term_sets, metrics)
    if found:
        names = ", ".join(repr(m.definition.name) for m in found)
        building = [m for m in found if not m.ready]
        if building:
            return f" The maintained aggregate {names} answers this request once it is built (it is building)."
        return (f" The maintained aggregate {names} answers this request without a filter, or with one (and a "
                "listRule) on its select, relation or bool group-by fields only.")
    if all(m.name in ("count", "sum", "avg") for m, _ in metrics):
        declared = {"name": "...", "groupBy": [t.text for t, _ in terms], "metrics": [m.text for m, _ in metrics]}
        return (" Or declare a maintained aggregate, read in O(groups): the collection's `aggregates` option, "
                f"e.g. {json.dumps(declared)}.")
    return ""
