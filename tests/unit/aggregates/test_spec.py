"""Parsing aggregate parameters: terms, metrics, sort, paging and modes, every bad input a 400 naming it."""

from __future__ import annotations

import pytest

from shared.aggregates import limits
from shared.aggregates.spec import GroupQuery, PivotQuery, StatsQuery, parse_query, split_top_level
from shared.errors import BadRequestError


def test_terms_metrics_and_sort_parse_into_typed_terms() -> None:
    query = parse_query({"groupBy": "status, created:month,amount:bucket(12.5)",
                         "metrics": "count(),percentile( amount , 90 ),sum(amount)", "sort": "-sum(amount),status"})
    assert isinstance(query, GroupQuery)
    assert [(t.field, t.truncate, t.bucket) for t in query.group_by] == [
        ("status", None, None), ("created", "month", None), ("amount", None, 12.5)]
    assert [m.text for m in query.metrics] == ["count()", "percentile(amount,90)", "sum(amount)"]
    assert [(s.key, s.descending) for s in query.sort] == [("sum(amount)", True), ("status", False)]
    assert (query.page, query.per_page) == (1, limits.DEFAULT_PER_PAGE)


def test_defaults_and_modes() -> None:
    plain = parse_query({})
    assert isinstance(plain, GroupQuery) and plain.group_by == () and [m.text for m in plain.metrics] == ["count()"]
    assert parse_query({"stats": "amount"}) == StatsQuery("amount")
    pivot = parse_query({"rows": "a", "columns": "b:year", "value": "avg(n)"})
    assert isinstance(pivot, PivotQuery) and pivot.columns.truncate == "year" and pivot.value.name == "avg"


def test_commas_inside_parentheses_stay_in_their_part() -> None:
    assert split_top_level("count(),percentile(a, 9),b") == ["count()", "percentile(a, 9)", "b"]


@pytest.mark.parametrize(("params", "named"), [
    ({"groupBy": "a,b,c,d"}, "groupBy"), ({"groupBy": "a:hour"}, "groupBy"), ({"groupBy": "a:bucket(-1)"}, "groupBy"),
    ({"groupBy": "a:bucket(0)"}, "groupBy"), ({"groupBy": "1a"}, "groupBy"), ({"groupBy": "a,,b"}, "groupBy"),
    ({"metrics": "count(a)"}, "metrics"), ({"metrics": "sum()"}, "metrics"), ({"metrics": "sum(a,1)"}, "metrics"),
    ({"metrics": "percentile(a,-1)"}, "metrics"), ({"metrics": "percentile(a)"}, "metrics"),
    ({"metrics": "drop(a)"}, "metrics"), ({"metrics": "sum(a),sum(a)"}, "metrics"),
    ({"metrics": ",".join(f"sum(f{i})" for i in range(limits.MAX_METRICS + 1))}, "metrics"),
    ({"sort": "a"}, "sort"), ({"groupBy": "a", "sort": "a,a,a,a,a"}, "sort"), ({"page": "0"}, "page"),
    ({"perPage": str(limits.MAX_PER_PAGE + 1)}, "perPage"), ({"perPage": "-1"}, "perPage"),
    ({"stats": "a", "rows": "b"}, "rows"), ({"stats": "a b"}, "stats"), ({"rows": "a", "value": "count()"}, "columns"),
    ({"rows": "a", "columns": "a", "value": "count()"}, "columns"),
    ({"rows": "a", "columns": "b", "value": "count()", "page": "2"}, "page"),
    ({"groupBy": "a" * (limits.MAX_PARAM_LENGTH + 1)}, "groupBy"),
])
def test_bad_parameters_are_400s_naming_the_parameter(params: dict[str, str], named: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        parse_query(params)
    assert list(caught.value.data) == [named]
