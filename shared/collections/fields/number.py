"""The "number" field: a float (or integer with onlyInt) within optional min/max."""


import math
from typing import Any, Literal

from pydantic import field_serializer

from shared.collections.coerce import to_number
from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import BaseField, SettingsContext, run_checks


def min_number_error(minimum: float) -> FieldError:
    return FieldError("validation_min_number_constraint", "Must be greater or equal than {{.min}}",
                      {"min": to_number(minimum)})


def max_number_error(maximum: float) -> FieldError:
    return FieldError("validation_max_number_constraint", "Must be less or equal than {{.max}}",
                      {"max": to_number(maximum)})


class NumberField(BaseField):
    """PocketBase's NumberField; values are kept as int when integral so JSON shows 12, not 12.0."""

    type: Literal["number"] = "number"
    min: float | None = None
    max: float | None = None
    only_int: bool = False
    required: bool = False

    @field_serializer("min", "max")
    def _serialize_bound(self, bound: float | None) -> int | float | None:
        # Go prints float64 5 as 5, not 5.0
        return None if bound is None else to_number(bound)

    def default_value(self) -> int:
        return 0

    def normalize(self, raw: Any) -> int | float:
        return to_number(raw)

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError("validation_invalid_value", "Invalid value.")
        if isinstance(value, float) and not math.isfinite(value):
            raise FieldError("validation_not_a_number", "The submitted number is not properly formatted")
        if value == 0:
            if self.required:
                raise required_error()
            return
        if self.only_int and value != int(value):
            raise FieldError("validation_only_int_constraint", "Decimal numbers are not allowed")
        if self.min is not None and value < self.min:
            raise min_number_error(self.min)
        if self.max is not None and value > self.max:
            raise max_number_error(self.max)

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        def integral(bound: float | None) -> None:
            if bound is not None and self.only_int and bound != int(bound):
                raise FieldError("validation_only_int_constraint", "Decimal numbers are not allowed.")

        def max_above_min() -> None:
            # unlike ozzo's Min, a zero max is checked too
            if self.min is not None and self.max is not None and self.max < self.min:
                raise min_number_error(self.min)

        run_checks(errors, "min", lambda: integral(self.min))
        run_checks(errors, "max", lambda: integral(self.max), max_above_min)
