"""Evaluating an aggregate request: the fields checked, the matching records grouped, metrics computed, and
the groups sorted and paged, or shaped as a pivot or as statistics (the JSON is in docs/api-views.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import partial
from itertools import product
from typing import Any

from shared.aggregates import limits
from shared.aggregates.grouping import DATES, keys_of, term_problem
from shared.aggregates.groups import GroupStore
from shared.aggregates.maintained_read import advice, serve
from shared.aggregates.metrics import NUMERIC, Accumulator, statistics
from shared.aggregates.source import matching_records
from shared.aggregates.spec import GroupQuery, GroupTerm, Metric, PivotQuery, StatsQuery, invalid, parse_query
from shared.catalog.repository import StoredCollection
from shared.collections.fields import BaseField
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.model import QueryBudgetError, StoredRecord
from shared.records.scope import RecordScope
from shared.tools.filter import FilterError

_DISTINCT_EXCLUDED = ("password", "json", "file", "geoPoint")


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    return (3, str(value))


def _row_value(key: str, row: dict[str, Any]) -> tuple[int, Any]:
    return _sort_value(row["key"][key] if key in row["key"] else row["metrics"][key])


class Aggregator:
    """`groups`: the maintained aggregates' store; without one every request is answered ad hoc."""

    def __init__(self, scope: RecordScope, groups: GroupStore | None = None) -> None:
        self.scope = scope
        self.groups = groups

    def answer(self, id_or_name: str, params: Mapping[str, str]) -> dict[str, Any]:
        stored = self.scope.collections.get(id_or_name)
        query = parse_query(params)
        filter_text = params.get("filter", "")
        if len(filter_text) > limits.MAX_PARAM_LENGTH * 4:
            raise invalid("filter", f"At most {limits.MAX_PARAM_LENGTH * 4} characters.")
        if isinstance(query, StatsQuery):
            return self._stats(stored, query, filter_text)
        if isinstance(query, PivotQuery):
            return self._pivot(stored, query, filter_text)
        return self._groups(stored, query, filter_text)

    def _field(self, collection: Collection, name: str, param: str) -> BaseField:
        field = collection.field_by_name(name)
        if field is None:
            raise invalid(param, f"{name!r} is not a field of {collection.name!r}.")
        # as filters: a hidden field, or one a readRule may hide, must not be told apart by its values
        if not self.scope.rules.plannable(collection)(name):
            raise invalid(param, f"{name!r} cannot be grouped or aggregated: it is hidden, or its readRule may "
                                 "hide it.", "validation_field_not_aggregatable")
        return field

    def _term_field(self, collection: Collection, term: GroupTerm, param: str) -> BaseField:
        field = self._field(collection, term.field, param)
        problem = term_problem(term, field)
        if problem:
            raise invalid(param, problem)
        return field

    def _metric_field(self, collection: Collection, metric: Metric, param: str) -> BaseField | None:
        if metric.field is None:
            return None
        field = self._field(collection, metric.field, param)
        kind = field.field_type
        if metric.name in NUMERIC and kind != "number":
            raise invalid(param, f"{metric.text} needs a number field; {field.name!r} is {kind}.")
        if metric.name in ("min", "max") and kind != "number" and kind not in DATES:
            raise invalid(param, f"{metric.text} needs a number or date field; {field.name!r} is {kind}.")
        if metric.name == "countDistinct" and kind in _DISTINCT_EXCLUDED:
            raise invalid(param, f"{metric.text} cannot count {kind} values.")
        return field

    def _records(self, stored: StoredCollection, filter_text: str, advice: str = "") -> Iterable[StoredRecord]:
        return matching_records(self.scope, stored, filter_text, advice)

    def _groups(self, stored: StoredCollection, query: GroupQuery, filter_text: str) -> dict[str, Any]:
        collection = stored.collection
        terms = [(term, self._term_field(collection, term, "groupBy")) for term in query.group_by]
        metrics = [(metric, self._metric_field(collection, metric, "metrics")) for metric in query.metrics]
        served = self._maintained(stored, [terms], metrics, filter_text)
        rows = served[0] if served is not None else self._ad_hoc_rows(stored, terms, metrics, filter_text)
        rows.sort(key=lambda row: [_sort_value(row["key"][t.text]) for t, _ in terms])
        # stable sorts, the last key first: ties on a key keep the order of the keys after it
        for sort in reversed(query.sort):
            rows.sort(key=partial(_row_value, sort.key), reverse=sort.descending)
        start = (query.page - 1) * query.per_page
        return {"page": query.page, "perPage": query.per_page, "totalGroups": len(rows),
                "totalPages": math.ceil(len(rows) / query.per_page), "groups": rows[start:start + query.per_page]}

    def _maintained(self, stored: StoredCollection, term_sets: list[list[tuple[GroupTerm, BaseField]]],
                    metrics: list[tuple[Metric, BaseField | None]],
                    filter_text: str) -> list[list[dict[str, Any]]] | None:
        """Each group-by's rows from a maintained aggregate (one read of its groups), or None: answer ad hoc."""
        if self.groups is None or not stored.layout.maintained:
            return None
        try:
            served = serve(self.scope, stored, term_sets, metrics, filter_text, self.groups)
        except QueryBudgetError as exc:
            raise invalid("groupBy", f"The maintained aggregate holds more than {self.scope.meter.budget} groups; "
                                     "group more coarsely.", "validation_too_many_groups") from exc
        except FilterError as exc:
            raise BadRequestError("Invalid filter parameters.", {"filter": {
                "code": "validation_invalid_filter", "message": str(exc)}}) from exc
        if served is None:
            return None
        if len(served.answers[0]) > limits.MAX_GROUPS:
            raise invalid("groupBy", f"More than {limits.MAX_GROUPS} groups; narrow the filter or group more "
                                     "coarsely.", "validation_too_many_groups")
        self.scope.meter.plans.append(served.plan)
        return served.answers

    def _ad_hoc_rows(self, stored: StoredCollection, terms: list[tuple[GroupTerm, BaseField]],
                     metrics: list[tuple[Metric, BaseField | None]], filter_text: str) -> list[dict[str, Any]]:
        groups: dict[tuple[Any, ...], list[Accumulator]] = {}
        for record in self._records(stored, filter_text, advice(stored, [terms], metrics)):
            keys = [keys_of(term, field, record.data.get(field.id)) for term, field in terms]
            for key in product(*keys):
                accumulators = groups.get(key)
                if accumulators is None:
                    if len(groups) >= limits.MAX_GROUPS:
                        raise invalid("groupBy", f"More than {limits.MAX_GROUPS} groups; narrow the filter or "
                                                 "group more coarsely.", "validation_too_many_groups")
                    accumulators = groups[key] = [Accumulator(m) for m, _ in metrics]
                for accumulator, (_, field) in zip(accumulators, metrics, strict=True):
                    accumulator.add(field.from_stored(record.data.get(field.id)) if field else None)
        if not terms and not groups:
            groups[()] = [Accumulator(m) for m, _ in metrics]  # no group-by: one group, even over no record
        return [{"key": {t.text: k for (t, _), k in zip(terms, key, strict=True)},
                 "metrics": {m.text: a.result() for (m, _), a in zip(metrics, accs, strict=True)}}
                for key, accs in groups.items()]

    def _pivot(self, stored: StoredCollection, query: PivotQuery, filter_text: str) -> dict[str, Any]:
        collection = stored.collection
        row_term = (query.rows, self._term_field(collection, query.rows, "rows"))
        column_term = (query.columns, self._term_field(collection, query.columns, "columns"))
        value = [(query.value, self._metric_field(collection, query.value, "value"))]
        # the cells, the rows' totals, the columns' totals and the grand total, each a group-by of its own
        term_sets = [[row_term, column_term], [row_term], [column_term], []]
        # a multiple field against itself pairs each record's values with each other, which no group holds
        paired = row_term[1].id == column_term[1].id and row_term[1].is_multiple()
        served = None if paired else self._maintained(stored, term_sets, value, filter_text)
        if served is None:
            return self._ad_hoc_pivot(stored, query, row_term[1], column_term[1], value[0][1], filter_text,
                                      advice(stored, term_sets, value))
        metric, row_text, column_text = query.value.text, query.rows.text, query.columns.text
        cells = {(r["key"][row_text], r["key"][column_text]): r["metrics"][metric] for r in served[0]}
        rows, columns = ({r["key"][text]: r["metrics"][metric] for r in answer}
                         for answer, text in ((served[1], row_text), (served[2], column_text)))
        for totals, most, param in ((rows, limits.MAX_PIVOT_ROWS, "rows"),
                                    (columns, limits.MAX_PIVOT_COLUMNS, "columns")):
            if len(totals) > most:
                raise invalid(param, f"More than {most} {param}; narrow the filter or group more coarsely.",
                              "validation_too_many_groups")
        return _pivot_table(query, cells, rows, columns, served[3][0]["metrics"][metric])

    def _ad_hoc_pivot(self, stored: StoredCollection, query: PivotQuery, row_field: BaseField,
                      column_field: BaseField, value_field: BaseField | None, filter_text: str,
                      advice_text: str) -> dict[str, Any]:
        cells: dict[tuple[Any, Any], Accumulator] = {}
        row_totals: dict[Any, Accumulator] = {}
        column_totals: dict[Any, Accumulator] = {}
        grand = Accumulator(query.value)
        for record in self._records(stored, filter_text, advice_text):
            value = value_field.from_stored(record.data.get(value_field.id)) if value_field else None
            row_keys = keys_of(query.rows, row_field, record.data.get(row_field.id))
            column_keys = keys_of(query.columns, column_field, record.data.get(column_field.id))
            # each total takes a record once, however many cells of its row (or column) it falls in
            for key in row_keys:
                self._bounded(row_totals, key, query.value, limits.MAX_PIVOT_ROWS, "rows").add(value)
            for key in column_keys:
                self._bounded(column_totals, key, query.value, limits.MAX_PIVOT_COLUMNS, "columns").add(value)
            for pair in product(row_keys, column_keys):
                cells.setdefault(pair, Accumulator(query.value)).add(value)
            grand.add(value)
        return _pivot_table(query, {k: a.result() for k, a in cells.items()},
                            {k: a.result() for k, a in row_totals.items()},
                            {k: a.result() for k, a in column_totals.items()}, grand.result())

    @staticmethod
    def _bounded(totals: dict[Any, Accumulator], key: Any, metric: Metric, most: int, param: str) -> Accumulator:
        found = totals.get(key)
        if found is None:
            if len(totals) >= most:
                raise invalid(param, f"More than {most} {param}; narrow the filter or group more coarsely.",
                              "validation_too_many_groups")
            found = totals[key] = Accumulator(metric)
        return found

    def _stats(self, stored: StoredCollection, query: StatsQuery, filter_text: str) -> dict[str, Any]:
        field = self._field(stored.collection, query.field, "stats")
        if field.field_type != "number":
            raise invalid("stats", f"stats() needs a number field; {field.name!r} is {field.field_type}.")
        values = []
        for record in self._records(stored, filter_text):
            raw = field.from_stored(record.data.get(field.id))
            values.append(float(raw or 0))
        return {"field": field.name, **statistics(values)}


def _pivot_table(query: PivotQuery, cells: dict[tuple[Any, Any], Any], row_totals: dict[Any, Any],
                 column_totals: dict[Any, Any], grand: Any) -> dict[str, Any]:
    """A pivot's JSON: its columns in key order, each row's values aligned with them (null where no record falls)."""
    columns = sorted(column_totals, key=_sort_value)
    return {
        "rows": query.rows.text, "columns": query.columns.text, "value": query.value.text,
        "columnKeys": columns,
        "columnTotals": [column_totals[c] for c in columns],
        "table": [{"key": r, "values": [cells.get((r, c)) for c in columns], "total": row_totals[r]}
                  for r in sorted(row_totals, key=_sort_value)],
        "total": grand,
    }
