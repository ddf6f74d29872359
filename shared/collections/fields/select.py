"""The "select" field: one or several values out of a fixed list."""


from typing import Any, Literal

from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import SettingsContext, check_bounds, run_checks
from shared.collections.fields.multi_value import MultiValueField


class SelectField(MultiValueField):
    """PocketBase's SelectField; maxSelect > 1 makes it multiple."""

    type: Literal["select"] = "select"
    values: list[str] | None = None
    required: bool = False

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        selected = self.values_of(value)
        if not selected:
            if self.required:
                raise required_error()
            return
        limit = max(self.max_select, 1)
        if len(selected) > limit:
            raise FieldError("validation_too_many_values", "Select no more than {{.maxSelect}}",
                             {"maxSelect": limit})
        for item in selected:
            if item not in (self.values or ()):
                raise FieldError("validation_invalid_value", "Invalid value {{.value}}", {"value": item})

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        def values_required() -> None:
            if not self.values:
                raise required_error()

        run_checks(errors, "values", values_required)
        run_checks(errors, "maxSelect", lambda: check_bounds(self.max_select, 0, max(len(self.values or ()), 1)))
