"""The records an aggregate reads: those the caller may list (listRule, own rules) matching its filter, read
through the records planner (an index when the filter pins one), bounded by the request's query budget."""

from __future__ import annotations

from collections.abc import Iterator

from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError
from shared.records.model import QueryBudgetError, StoredRecord
from shared.records.planner import plan_query
from shared.records.query import PREFETCH_CHUNK, UNORDERED_READ_SIZE
from shared.records.rules import combine
from shared.records.scope import RecordScope
from shared.tools.filter import Expr, FilterError
from shared.tools.filter.ast import identifier_paths


def budget_error(budget: int, advice: str = "") -> BadRequestError:
    return BadRequestError(
        f"The aggregate would read more than {budget} records. Narrow the filter, or add an index (the "
        f"collection's `indexes`) that matches the filter's equality on its first column.{advice}",
        {"filter": {"code": "validation_query_too_expensive",
                    "message": f"More than {budget} records would be read; narrow the filter or add an index."}})


def matching_records(scope: RecordScope, stored: StoredCollection, filter_text: str,
                     advice: str = "") -> Iterator[StoredRecord]:
    """Every record the caller may list that matches `filter_text`; a 400 past the query budget (with `advice`
    on maintained aggregates appended)."""
    rules = scope.rules
    collection = stored.collection
    rules.require_action(collection, "list")
    rule = rules.rule(collection.list_rule)  # a null listRule: superusers only (403), as a list answers
    user_filter = rules.user_filter(filter_text)
    superuser = rules.is_superuser
    combined = combine(rule, user_filter)
    relations = [p for p in identifier_paths(combined) if len(p) > 1]
    try:
        plan = plan_query(collection, stored.layout, combined, [], rules.static(collection),
                          rules.plannable(collection))
        scope.meter.plans.append(plan.description)
        candidates = scope.records.query(plan, scope.meter, want=UNORDERED_READ_SIZE, drain=True)
        chunk: list[StoredRecord] = []
        for record in candidates:
            chunk.append(record)
            if len(chunk) >= PREFETCH_CHUNK:
                yield from _matching(scope, stored, chunk, rule, user_filter, superuser, relations)
                chunk = []
        yield from _matching(scope, stored, chunk, rule, user_filter, superuser, relations)
    except QueryBudgetError as exc:
        raise budget_error(scope.meter.budget or 0, advice) from exc
    except FilterError as exc:
        raise BadRequestError("Invalid filter parameters.", {"filter": {
            "code": "validation_invalid_filter", "message": str(exc)}}) from exc


def _matching(scope: RecordScope, stored: StoredCollection, chunk: list[StoredRecord], rule: Expr | None,
              user_filter: Expr | None, superuser: bool, relations: list[tuple[str, ...]]) -> Iterator[StoredRecord]:
    rules, collection = scope.rules, stored.collection
    if relations and chunk:
        scope.loader.prefetch(collection, chunk, relations)
    for record in chunk:
        if (rules.matches(rule, collection, record)
                and rules.matches(user_filter, collection, record, allow_hidden=superuser)
                and rules.own_rule_allows(collection, record, "list")):
            yield record
