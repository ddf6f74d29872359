"""The "rollup" field: an aggregate (Airtable's) over a field of the linked records, optionally filtered.

SUM, AVERAGE, COUNT, COUNTA and COUNTALL are maintained incrementally from sums and counts (see
shared/changes/accumulators.py); MIN, MAX and the text, array and logic aggregates are recomputed from the
linked records when a change can affect them.
"""


import math
from typing import Any, Literal

from shared.collections.field_errors import FieldError
from shared.collections.fields.base import SettingsContext, run_checks
from shared.collections.fields.lookup import LinkedField, check_target, scalar_type, target_type
from shared.tools.formula.types import ANY, TEXT, ValueType, list_of

Aggregate = Literal["SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "COUNTALL", "CONCATENATE", "ARRAYJOIN",
                    "ARRAYUNIQUE", "AND", "OR", "XOR"]
# kept from sums and counts, exactly once per stream record
INCREMENTAL: frozenset[str] = frozenset({"SUM", "AVERAGE", "COUNT", "COUNTA", "COUNTALL"})
_NUMERIC = ("number",)
# the target types each aggregate accepts; None is any
_FITS: dict[str, tuple[str, ...] | None] = {
    "SUM": _NUMERIC, "AVERAGE": _NUMERIC, "MIN": ("number", "date", "autodate"), "MAX": ("number", "date", "autodate"),
    "COUNT": None, "COUNTA": None, "COUNTALL": None, "CONCATENATE": None, "ARRAYJOIN": None, "ARRAYUNIQUE": None,
    "AND": ("bool",), "OR": ("bool",), "XOR": ("bool",),
}
_RESULT: dict[str, str] = {"SUM": "number", "AVERAGE": "number", "COUNT": "number", "COUNTA": "number",
                           "COUNTALL": "number", "CONCATENATE": "text", "ARRAYJOIN": "text", "ARRAYUNIQUE": "json",
                           "AND": "bool", "OR": "bool", "XOR": "bool"}


def flat(values: list[Any]) -> list[Any]:
    """Linked values with multi-valued ones (lists) spread, as Airtable's rollups see them."""
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return out


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def tidy(number: float) -> int | float:
    """Integral results as ints, so JSON shows 12, not 12.0."""
    return int(number) if float(number).is_integer() and abs(number) < 2**53 else number


class RollupField(LinkedField):
    """Airtable's rollup: `aggregate` of `field` over the linked records the filter selects."""

    type: Literal["rollup"] = "rollup"
    field: str = ""
    aggregate: Aggregate = "SUM"
    # ARRAYJOIN's separator (Airtable's default)
    separator: str = ", "

    def is_incremental(self) -> bool:
        return self.aggregate in INCREMENTAL

    def result_type(self) -> str:
        """number, text, bool, json (a list), or for MIN/MAX the target's own type (a date stays a date)."""
        return _RESULT.get(self.aggregate, "number")

    def default_value(self) -> Any:
        return self.aggregate_of([])

    def value_type(self, context: SettingsContext) -> ValueType:
        if self.aggregate == "ARRAYUNIQUE":
            return list_of(ANY)
        if self.aggregate in ("MIN", "MAX"):
            link = self.context_link(context)
            return scalar_type(target_type(link, self.field, context.find_collection)) if link is not None else ANY
        return scalar_type(self.result_type()) if self.result_type() != "text" else TEXT

    def is_multiple(self) -> bool:
        return self.aggregate == "ARRAYUNIQUE"

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        link = self.validate_link(context, errors)
        if link is None:
            return
        run_checks(errors, "field", lambda: check_target(link, self.field),
                   lambda: self.check_no_clock(link, {self.field}, "field"))
        if "field" in errors:
            return

        def fits() -> None:
            accepted = _FITS[self.aggregate]
            kind = target_type(link, self.field, context.find_collection)
            if accepted is not None and kind not in accepted:
                raise FieldError("validation_invalid_aggregate",
                                 f"{self.aggregate} needs a {' or '.join(accepted)} field; {self.field} is {kind}.")

        run_checks(errors, "aggregate", fits)

    def aggregate_of(self, values: list[Any]) -> Any:
        """The aggregate of the linked records' values (one per record, lists spread), as Airtable computes it."""
        items = flat(values)
        numbers = [v for v in items if is_number(v)]
        name = self.aggregate
        if name == "SUM":
            return tidy(math.fsum(numbers))
        if name == "AVERAGE":
            return tidy(math.fsum(numbers) / len(numbers)) if numbers else 0
        if name == "COUNT":
            return len(numbers)
        if name == "COUNTA":
            return sum(1 for v in items if not is_blank(v))
        if name == "COUNTALL":
            return len(values)
        if name in ("MIN", "MAX"):
            pick = min if name == "MIN" else max
            if numbers:
                return tidy(pick(numbers))
            dates = [v for v in items if isinstance(v, str) and v]
            return pick(dates) if dates else 0
        if name == "CONCATENATE":
            return "".join(_text(v) for v in items)
        if name == "ARRAYJOIN":
            return self.separator.join(_text(v) for v in items if not is_blank(v))
        if name == "ARRAYUNIQUE":
            return list(dict.fromkeys(v for v in items if not is_blank(v)))
        truths = [bool(v) for v in items]
        if name == "AND":
            return all(truths) if truths else False
        if name == "OR":
            return any(truths)
        return sum(truths) % 2 == 1  # XOR: an odd number of true values

    def from_sums(self, sums: dict[str, float]) -> Any:
        """The value of an incremental aggregate from its maintained sums and counts."""
        if self.aggregate == "SUM":
            return tidy(sums.get("sum", 0))
        if self.aggregate == "AVERAGE":
            count = sums.get("numbers", 0)
            return tidy(sums.get("sum", 0) / count) if count else 0
        if self.aggregate == "COUNT":
            return int(sums.get("numbers", 0))
        if self.aggregate == "COUNTA":
            return int(sums.get("filled", 0))
        return int(sums.get("records", 0))
