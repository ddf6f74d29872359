"""The "json" field: any JSON value up to maxSize bytes once serialised."""


import json
from typing import Any, Literal

from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import MAX_SAFE_JSON_INT, BaseField, SettingsContext, check_bounds, run_checks

DEFAULT_JSON_MAX_SIZE = 5 << 20
_EMPTY_JSON_VALUES: tuple[Any, ...] = (None, "", [], {})


def compact_json(value: Any) -> str:
    """Serialise without spaces, as Go does, for size checks."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class JSONField(BaseField):
    """PocketBase's JSONField; maxSize 0 means the default of 5 MiB."""

    type: Literal["json"] = "json"
    max_size: int = 0
    required: bool = False

    def default_value(self) -> None:
        return None

    def normalize(self, raw: Any) -> Any:
        """Strings that look like JSON are decoded, so multipart and JSON bodies behave the same.

        "true"/"false"/"null", numbers, "[...]", "{...}" and quoted strings are parsed; any other
        string (including "") is kept as a JSON string.
        """
        if not isinstance(raw, str):
            return raw
        if raw in ("null", "true", "false"):
            return json.loads(raw)
        if raw and (raw[0].isdigit() or raw[0] in '-"[{'):
            try:
                return json.loads(raw)
            except ValueError:
                return raw
        return raw

    def max_body_size(self) -> int:
        return self.max_size if self.max_size > 0 else DEFAULT_JSON_MAX_SIZE

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        try:
            serialised = compact_json(value)
        except (TypeError, ValueError) as exc:
            raise FieldError("validation_invalid_json", "Must be a valid json value") from exc
        limit = self.max_body_size()
        if len(serialised.encode()) > limit:
            raise FieldError("validation_json_size_limit", "The maximum allowed JSON size is {{.maxSize}} bytes",
                             {"maxSize": limit})
        if self.required and any(value == empty and type(value) is type(empty) for empty in _EMPTY_JSON_VALUES):
            raise required_error()

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        run_checks(errors, "maxSize", lambda: check_bounds(self.max_size, 0, MAX_SAFE_JSON_INT))
