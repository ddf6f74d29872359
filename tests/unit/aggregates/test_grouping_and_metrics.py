"""Group keys (date truncation in UTC, number buckets, multiple values) and metrics (percentile method, stats)."""

from __future__ import annotations

import math
import statistics as py_statistics
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.aggregates.grouping import bucket_start, keys_of, term_problem, truncate
from shared.aggregates.metrics import Accumulator, percentile, statistics
from shared.aggregates.spec import parse_metric, parse_term
from shared.collections.fields import DateField, NumberField, SelectField


@pytest.mark.parametrize(("day", "unit", "start"), [
    (date(2026, 1, 4), "week", date(2025, 12, 29)),   # a Sunday belongs to the week of the Monday before
    (date(2026, 1, 5), "week", date(2026, 1, 5)),     # a Monday starts its week
    (date(2024, 2, 29), "month", date(2024, 2, 1)),
    (date(2026, 3, 31), "quarter", date(2026, 1, 1)), (date(2026, 4, 1), "quarter", date(2026, 4, 1)),
    (date(2026, 12, 31), "quarter", date(2026, 10, 1)), (date(2026, 12, 31), "year", date(2026, 1, 1)),
    (date(2026, 7, 9), "day", date(2026, 7, 9)),
])
def test_dates_truncate_to_the_start_of_their_period(day: date, unit: str, start: date) -> None:
    assert truncate(day, unit) == start


def test_date_keys_are_taken_in_utc() -> None:
    field = DateField(name="d", id="d1")
    # 23:30 at UTC-2 is 01:30 the next day in UTC: the UTC day (and month, and year) is the key
    assert keys_of(parse_term("d:year", "groupBy"), field, "2025-12-31T23:30:00-02:00") == ["2026-01-01"]
    assert keys_of(parse_term("d:day", "groupBy"), field, "") == [""]


def test_buckets_floor_including_negatives() -> None:
    assert [bucket_start(v, 10) for v in (0, 9.99, 10, -0.5, -10)] == [0, 0, 10, -10, -10]
    assert bucket_start(0.3, 0.25) == 0.25
    assert keys_of(parse_term("n:bucket(100)", "groupBy"), NumberField(name="n", id="n1"), None) == [0]


def test_a_multiple_select_gives_one_key_per_value_and_an_empty_one_the_empty_key() -> None:
    field = SelectField(name="s", id="s1", values=["a", "b"], max_select=2)
    term = parse_term("s", "groupBy")
    assert keys_of(term, field, ["b", "a"]) == ["b", "a"] and keys_of(term, field, []) == [""]


def test_terms_must_fit_their_field() -> None:
    assert term_problem(parse_term("n", "groupBy"), NumberField(name="n", id="n1"))
    assert term_problem(parse_term("d", "groupBy"), DateField(name="d", id="d1"))
    assert term_problem(parse_term("s:month", "groupBy"), SelectField(name="s", id="s1", values=["a"]))
    assert term_problem(parse_term("d:month", "groupBy"), DateField(name="d", id="d1")) is None


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 99) == 7
    assert [percentile([1, 2, 3, 4], p) for p in (0, 50, 100)] == [1, 2.5, 4]
    assert percentile([10, 20, 30], 90) == pytest.approx(28)


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60), st.floats(0, 100))
def test_percentiles_match_pythons_inclusive_quantiles(values: list[float], p: float) -> None:
    ordered = sorted(values)
    got = percentile(ordered, p)
    assert got is not None and ordered[0] - 1e-6 <= got <= ordered[-1] + 1e-6
    if len(values) > 1 and p in (25.0, 50.0, 75.0):
        expected = py_statistics.quantiles(values, n=4, method="inclusive")[int(p // 25) - 1]
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6)


def test_statistics_are_population_ones() -> None:
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    out = statistics(values)
    assert (out["count"], out["sum"], out["mean"], out["min"], out["max"], out["stddev"]) == (8, 40, 5, 2, 9, 2)
    assert out["p50"] == 4.5 and out["p90"] == pytest.approx(7.6) and out["p99"] == pytest.approx(8.86)
    assert statistics([]) == {"count": 0, "sum": 0, "mean": None, "min": None, "max": None, "stddev": None,
                              "p50": None, "p90": None, "p99": None}


def test_accumulators() -> None:
    def run(text: str, values: list[object]) -> object:
        acc = Accumulator(parse_metric(text, "metrics"))
        for value in values:
            acc.add(value)
        return acc.result()

    assert run("count()", [None] * 3) == 3 and run("sum(a)", [1, 2.5, None]) == 3.5
    assert run("avg(a)", []) is None and run("avg(a)", [1, 2]) == 1.5
    assert run("min(d)", ["2026-01-02 00:00:00.000Z", "", "2025-01-01 00:00:00.000Z"]) == "2025-01-01 00:00:00.000Z"
    assert run("max(a)", [3, 9, 1]) == 9 and run("countDistinct(s)", ["a", "b", "a", ["x", "y"], ["x", "y"]]) == 3
    assert run("percentile(a,50)", [3, 1, 2]) == 2
