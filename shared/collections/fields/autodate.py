"""The "autodate" field: set by the server on create and/or update, never by clients."""


from typing import Any, Literal

from shared.collections.datetime import normalize_datetime
from shared.collections.field_errors import FieldError, values_mismatch_error
from shared.collections.fields.base import BaseField, SettingsContext, run_checks


class AutodateField(BaseField):
    """PocketBase's AutodateField."""

    type: Literal["autodate"] = "autodate"
    on_create: bool = False
    on_update: bool = False

    def to_json(self) -> dict[str, Any]:
        """As PocketBase serialises it: the one field type without `help`."""
        data = super().to_json()
        del data["help"]
        return data

    def normalize(self, raw: Any) -> str:
        return normalize_datetime(raw)

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        original = context.original_field if isinstance(context.original_field, AutodateField) else None

        def unchanged_if_system(new: bool, old: bool) -> None:
            if self.system and original is not None and new != old:
                raise values_mismatch_error()

        def one_enabled() -> None:
            if not self.on_create and not self.on_update:
                raise FieldError("validation_required", "either onCreate or onUpdate must be enabled")

        run_checks(errors, "onCreate",
                   lambda: unchanged_if_system(self.on_create, original.on_create if original else False),
                   one_enabled)
        run_checks(errors, "onUpdate",
                   lambda: unchanged_if_system(self.on_update, original.on_update if original else False),
                   one_enabled)
