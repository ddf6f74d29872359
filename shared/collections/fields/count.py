"""The "count" field: how many records are linked (those the optional filter selects), kept incrementally."""


from typing import Any, Literal

from shared.collections.field_errors import FieldError
from shared.collections.fields.base import SettingsContext
from shared.collections.fields.lookup import LinkedField
from shared.tools.formula.types import NUMBER, ValueType


class CountField(LinkedField):
    """Airtable's count field: the number of linked records, maintained from the change stream."""

    type: Literal["count"] = "count"

    def is_incremental(self) -> bool:
        return True

    def default_value(self) -> int:
        return 0

    def value_type(self, context: SettingsContext) -> ValueType:
        return NUMBER

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        self.validate_link(context, errors)

    def aggregate_of(self, values: list[Any]) -> int:
        return len(values)

    def from_sums(self, sums: dict[str, float]) -> int:
        return int(sums.get("records", 0))
