"""Metric accumulators and statistics over the values of a group.

Percentiles interpolate linearly between the closest ranks (numpy's default, "type 7"): for sorted values
x[0..n-1], percentile p is at rank (n - 1) * p / 100. The standard deviation is the population one (over n).
A number field's absent value is 0, as PocketBase reads it; an empty date is left out of min/max.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from shared.aggregates.spec import Metric

NUMERIC = ("sum", "avg", "percentile")
STATS_PERCENTILES = (50, 90, 99)


def percentile(ordered: list[float], percent: float) -> float | None:
    """The percentile of already sorted values (None for none)."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * percent / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def number_value(value: Any) -> float:
    """A number field's value as a float (absent: 0, as PocketBase reads it)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else float(value or 0)


def _comparable(value: Any) -> bool:
    return value is not None and value != ""


class Accumulator:
    """One metric's running state; values that need the whole group (percentile, countDistinct) are kept."""

    def __init__(self, metric: Metric) -> None:
        self.metric = metric
        self.count = 0
        self.total = 0.0
        self.low: Any = None
        self.high: Any = None
        self.values: list[float] = []
        self.distinct: set[Any] = set()

    def add(self, value: Any) -> None:
        name = self.metric.name
        self.count += 1
        if name in ("sum", "avg"):
            self.total += number_value(value)
        elif name == "percentile":
            self.values.append(number_value(value))
        elif name == "countDistinct":
            self.distinct.add(tuple(value) if isinstance(value, list) else value)
        elif name in ("min", "max") and _comparable(value):
            if self.low is None or value < self.low:
                self.low = value
            if self.high is None or value > self.high:
                self.high = value

    def result(self) -> Any:
        name = self.metric.name
        if name == "count":
            return self.count
        if name == "sum":
            return tidy_number(self.total)
        if name == "avg":
            return tidy_number(self.total / self.count) if self.count else None
        if name == "min":
            return tidy_number(self.low)
        if name == "max":
            return tidy_number(self.high)
        if name == "countDistinct":
            return len(self.distinct)
        return tidy_number(percentile(sorted(self.values), self.metric.percent or 0.0))


def tidy_number(value: Any) -> Any:
    """Whole floats as ints, so that sums of integers answer integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def statistics(values: Iterable[float]) -> dict[str, Any]:
    ordered = sorted(values)
    count = len(ordered)
    total = math.fsum(ordered)
    mean = total / count if count else None
    variance = math.fsum((v - mean) ** 2 for v in ordered) / count if mean is not None else None
    out: dict[str, Any] = {"count": count, "sum": tidy_number(total), "mean": tidy_number(mean),
                           "min": tidy_number(ordered[0]) if ordered else None,
                           "max": tidy_number(ordered[-1]) if ordered else None,
                           "stddev": tidy_number(math.sqrt(variance)) if variance is not None else None}
    for p in STATS_PERCENTILES:
        out[f"p{p}"] = tidy_number(percentile(ordered, p))
    return out
