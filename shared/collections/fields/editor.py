"""The "editor" field: HTML text limited by size in bytes."""


from typing import Any, Literal

from pydantic import Field

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import MAX_SAFE_JSON_INT, BaseField, SettingsContext, check_bounds, run_checks

DEFAULT_EDITOR_MAX_SIZE = 5 << 20


class EditorField(BaseField):
    """PocketBase's EditorField; maxSize 0 means the default of 5 MiB."""

    type: Literal["editor"] = "editor"
    max_size: int = 0
    convert_urls: bool = Field(default=False, alias="convertURLs")
    required: bool = False

    def normalize(self, raw: Any) -> str:
        return to_string(raw)

    def max_body_size(self) -> int:
        return self.max_size if self.max_size > 0 else DEFAULT_EDITOR_MAX_SIZE

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if not isinstance(value, str):
            raise FieldError("validation_invalid_value", "Invalid value.")
        if self.required and not value:
            raise required_error()
        limit = self.max_body_size()
        if len(value.encode()) > limit:
            raise FieldError("validation_content_size_limit",
                             "The maximum allowed content size is {{.maxSize}} bytes", {"maxSize": limit})

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        run_checks(errors, "maxSize", lambda: check_bounds(self.max_size, 0, MAX_SAFE_JSON_INT))
