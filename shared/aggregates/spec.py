"""Parsing an aggregate request's parameters strictly into typed terms; every bad input is a 400 naming it.

Syntax (docs/api-views.md): `groupBy=status,created:month,amount:bucket(100)`,
`metrics=count(),sum(amount),percentile(amount,90)`, `sort=-count(),status`, `rows`/`columns`/`value` for a
pivot, `stats=amount` for statistics, with `filter`, `page` and `perPage`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Literal, cast

import msgspec

from shared.aggregates import limits
from shared.errors import BadRequestError

Truncation = Literal["day", "week", "month", "quarter", "year"]
TRUNCATIONS: tuple[Truncation, ...] = ("day", "week", "month", "quarter", "year")
METRICS = ("count", "sum", "avg", "min", "max", "countDistinct", "percentile")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TERM = re.compile(rf"^({_NAME})(?::(day|week|month|quarter|year|bucket\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)))?$")
_METRIC = re.compile(rf"^({_NAME})\(\s*({_NAME})?\s*(?:,\s*([0-9]+(?:\.[0-9]+)?)\s*)?\)$")


def invalid(param: str, message: str, code: str = "validation_invalid_aggregate") -> BadRequestError:
    return BadRequestError("Something went wrong while processing your request.", {param: {
        "code": code, "message": message}})


class GroupTerm(msgspec.Struct, frozen=True):
    """One group-by term: a field, optionally a date truncation or a number bucket width."""

    text: str
    field: str
    truncate: Truncation | None = None
    bucket: float | None = None


class Metric(msgspec.Struct, frozen=True):
    text: str
    name: str
    field: str | None = None
    percent: float | None = None


class SortTerm(msgspec.Struct, frozen=True):
    key: str
    descending: bool


class GroupQuery(msgspec.Struct, frozen=True):
    group_by: tuple[GroupTerm, ...]
    metrics: tuple[Metric, ...]
    sort: tuple[SortTerm, ...]
    page: int
    per_page: int


class PivotQuery(msgspec.Struct, frozen=True):
    rows: GroupTerm
    columns: GroupTerm
    value: Metric


class StatsQuery(msgspec.Struct, frozen=True):
    field: str


AggregateQuery = GroupQuery | PivotQuery | StatsQuery


def split_top_level(text: str) -> list[str]:
    """Comma-separated parts, commas inside parentheses kept (`percentile(a, 90)`)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    parts.append(current.strip())
    return parts


def _text(params: Mapping[str, str], name: str) -> str:
    raw = params.get(name, "")
    if len(raw) > limits.MAX_PARAM_LENGTH:
        raise invalid(name, f"At most {limits.MAX_PARAM_LENGTH} characters.")
    return raw.strip()


def parse_term(text: str, param: str) -> GroupTerm:
    found = _TERM.match(text)
    if not found:
        raise invalid(param, f"Invalid group term {text!r}: use field, field:day|week|month|quarter|year or "
                             "field:bucket(width).")
    field, suffix, width = found.groups()
    if width is not None:
        bucket = float(width)
        if not math.isfinite(bucket) or bucket <= 0:
            raise invalid(param, f"The bucket width of {text!r} must be a positive number.")
        return GroupTerm(text, field, bucket=bucket)
    return GroupTerm(text, field, truncate=cast(Truncation | None, suffix))


def parse_metric(text: str, param: str) -> Metric:
    found = _METRIC.match(text)
    if not found or found.group(1) not in METRICS:
        raise invalid(param, f"Invalid metric {text!r}: use count(), sum(f), avg(f), min(f), max(f), "
                             "countDistinct(f) or percentile(f, p).")
    name, field, percent = found.groups()
    if name == "count":
        if field is not None or percent is not None:
            raise invalid(param, "count() takes no argument.")
        return Metric("count()", name)
    if field is None:
        raise invalid(param, f"{name}() needs a field.")
    if name == "percentile":
        if percent is None or not 0 <= float(percent) <= 100:
            raise invalid(param, "percentile(f, p) needs p between 0 and 100.")
        return Metric(f"percentile({field},{float(percent):g})", name, field, float(percent))
    if percent is not None:
        raise invalid(param, f"{name}() takes one field.")
    return Metric(f"{name}({field})", name, field)


def _positive(params: Mapping[str, str], name: str, default: int, top: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(name, "Must be a positive integer.")
    if top is not None and int(raw) > top:
        raise invalid(name, f"At most {top}.")
    return int(raw)


def _group_query(params: Mapping[str, str]) -> GroupQuery:
    group_text = _text(params, "groupBy")
    terms = tuple(parse_term(t, "groupBy") for t in split_top_level(group_text)) if group_text else ()
    if len(terms) > limits.MAX_GROUP_BY:
        raise invalid("groupBy", f"At most {limits.MAX_GROUP_BY} group-by terms.")
    if len({t.text for t in terms}) != len(terms):
        raise invalid("groupBy", "A group-by term is repeated.")
    metric_text = _text(params, "metrics") or "count()"
    metrics = tuple(parse_metric(m, "metrics") for m in split_top_level(metric_text))
    if len(metrics) > limits.MAX_METRICS:
        raise invalid("metrics", f"At most {limits.MAX_METRICS} metrics.")
    if len({m.text for m in metrics}) != len(metrics):
        raise invalid("metrics", "A metric is repeated.")
    sort_text = _text(params, "sort")
    sort: list[SortTerm] = []
    known = {t.text for t in terms} | {m.text for m in metrics}
    for part in split_top_level(sort_text) if sort_text else []:
        descending = part.startswith("-")
        key = part.lstrip("+-").strip()
        metric_key = parse_metric(key, "sort").text if "(" in key else key
        if metric_key not in known:
            raise invalid("sort", f"{key!r} is neither a group-by term nor a metric of this request.")
        sort.append(SortTerm(metric_key, descending))
    if len(sort) > limits.MAX_SORT_KEYS:
        raise invalid("sort", f"At most {limits.MAX_SORT_KEYS} sort keys.")
    return GroupQuery(terms, metrics, tuple(sort), _positive(params, "page", 1),
                      _positive(params, "perPage", limits.DEFAULT_PER_PAGE, limits.MAX_PER_PAGE))


def parse_query(params: Mapping[str, str]) -> AggregateQuery:
    """The request's query; `stats`, a pivot (`rows`) and a group-by exclude one another."""
    pivot_params = [name for name in ("rows", "columns", "value") if params.get(name)]
    group_params = [name for name in ("groupBy", "metrics", "sort", "page", "perPage") if params.get(name)]
    if params.get("stats"):
        clash = pivot_params + group_params
        if clash:
            raise invalid(clash[0], "stats cannot be combined with a group-by or a pivot.")
        stats_field = _text(params, "stats")
        if not re.fullmatch(_NAME, stats_field):
            raise invalid("stats", f"Invalid field {stats_field!r}.")
        return StatsQuery(stats_field)
    if pivot_params:
        missing = [name for name in ("rows", "columns", "value") if not params.get(name)]
        if missing:
            raise invalid(missing[0], "A pivot needs rows, columns and value.", "validation_required")
        if group_params:
            raise invalid(group_params[0], "A pivot cannot be combined with groupBy, metrics, sort or paging.")
        rows, columns = parse_term(_text(params, "rows"), "rows"), parse_term(_text(params, "columns"), "columns")
        if rows.text == columns.text:
            raise invalid("columns", "The columns must differ from the rows.")
        return PivotQuery(rows, columns, parse_metric(_text(params, "value"), "value"))
    return _group_query(params)
