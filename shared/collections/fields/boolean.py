"""The "bool" field: true/false, where required means it must be true."""


from typing import Any, Literal

from shared.collections.coerce import to_bool
from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import BaseField


class BoolField(BaseField):
    """PocketBase's BoolField."""

    type: Literal["bool"] = "bool"
    required: bool = False

    def default_value(self) -> bool:
        return False

    def normalize(self, raw: Any) -> bool:
        return to_bool(raw)

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if not isinstance(value, bool):
            raise FieldError("validation_invalid_value", "Invalid value.")
        if self.required and not value:
            raise required_error()
