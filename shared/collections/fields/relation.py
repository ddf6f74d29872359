"""The "relation" field: ids of records in another collection."""


from typing import Any, Literal

from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import SettingsContext, check_bounds, run_checks
from shared.collections.fields.multi_value import MultiValueField


class RelationField(MultiValueField):
    """PocketBase's RelationField; whether the related records exist is checked by the caller."""

    type: Literal["relation"] = "relation"
    collection_id: str = ""
    cascade_delete: bool = False
    min_select: int = 0
    required: bool = False

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        ids = self.values_of(value)
        if not ids:
            if self.required:
                raise required_error()
            return
        if self.min_select > 0 and len(ids) < self.min_select:
            raise FieldError("validation_not_enough_values", "Select at least {{.minSelect}}",
                             {"minSelect": self.min_select})
        limit = max(self.max_select, 1)
        if len(ids) > limit:
            raise FieldError("validation_too_many_values", "Select no more than {{.maxSelect}}",
                             {"maxSelect": limit})

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        original = context.original_field if isinstance(context.original_field, RelationField) else None

        def target_collection() -> None:
            if not self.collection_id:
                raise required_error()
            if original is not None and original.collection_id != self.collection_id:
                raise FieldError("validation_field_relation_change", "The relation collection cannot be changed.")
            if not context.collection_exists(self.collection_id):
                raise FieldError("validation_field_relation_missing_collection",
                                 "The relation collection doesn't exist.")

        def max_select_when_min() -> None:
            if self.min_select > 0 and not self.max_select:
                raise required_error()
            check_bounds(self.max_select, self.min_select)

        run_checks(errors, "collectionId", target_collection)
        run_checks(errors, "minSelect", lambda: check_bounds(self.min_select, 0))
        run_checks(errors, "maxSelect", max_select_when_min)
