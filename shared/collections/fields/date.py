"""The "date" field: a UTC datetime string in PocketBase's layout, or "" when unset."""


from typing import Any, Literal

from pydantic import field_validator

from shared.collections.datetime import go_time_json, go_time_string, normalize_datetime, parse_datetime
from shared.collections.field_errors import FieldError, max_error, min_error, required_error
from shared.collections.fields.base import BaseField, SettingsContext, run_checks


class DateField(BaseField):
    """PocketBase's DateField; min and max are dates in the same layout ("" = no limit)."""

    type: Literal["date"] = "date"
    min: str = ""
    max: str = ""
    required: bool = False

    @field_validator("min", "max", mode="before")
    @classmethod
    def _normalize_limit(cls, value: Any) -> str:
        return normalize_datetime(value)

    def normalize(self, raw: Any) -> str:
        """Unparsable input becomes "" (PocketBase silently zeroes it), so only required can catch it."""
        return normalize_datetime(raw)

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if not isinstance(value, str):
            raise FieldError("validation_invalid_value", "Invalid value.")
        moment = parse_datetime(value)
        if moment is None:
            if self.required:
                raise required_error()
            return
        minimum, maximum = parse_datetime(self.min), parse_datetime(self.max)
        # ozzo's Min/Max on time.Time: the message shows Go's String(), the params its JSON
        if minimum and moment < minimum:
            raise FieldError(min_error(0).code, f"Must be no less than {go_time_string(minimum)}.",
                             {"threshold": go_time_json(minimum)})
        if maximum and moment > maximum:
            raise FieldError(max_error(0).code, f"Must be no greater than {go_time_string(maximum)}.",
                             {"threshold": go_time_json(maximum)})

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        def max_after_min() -> None:
            minimum, maximum = parse_datetime(self.min), parse_datetime(self.max)
            if minimum and maximum and maximum < minimum:
                raise FieldError("validation_date_out_of_range", "the date is out of range")

        run_checks(errors, "max", max_after_min)
