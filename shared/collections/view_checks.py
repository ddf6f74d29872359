"""The view collection parts of collection validation: fields inferred from viewQuery, no write rules, no indexes.

The inference itself (SQL parsing, the catalog) is shared/views/, injected as `InferViewFields`, so collections
stay below the packages that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields import BaseField
from shared.collections.model import Collection

# The view's fields for a viewQuery; raises ValueError with the API's message, and maybe `.fields`: what could
# still be inferred (PocketBase then reports the fields' own problem too, e.g. the missing id).
InferViewFields = Callable[[str], list[BaseField]]
_WRITE_RULES = (("createRule", "create_rule"), ("updateRule", "update_rule"), ("deleteRule", "delete_rule"))


def apply_view_query(collection: Collection, existing: Collection | None,
                     infer: InferViewFields | None) -> dict[str, Any]:
    """Replace a view's submitted fields by those its query gives (PocketBase ignores submitted ones); errors."""
    if not collection.view_query.strip():
        collection.fields = []
        return {"viewQuery": required_error().as_data()}
    if existing is not None and existing.view_query == collection.view_query:
        collection.fields = [field.model_copy(deep=True) for field in existing.fields]
        return {}
    if infer is None:
        collection.fields = []
        return {"viewQuery": FieldError("validation_invalid_view_query",
                                        "Invalid query - view collections are not supported here.").as_data()}
    try:
        collection.fields = infer(collection.view_query)  # type: ignore[assignment]
    except ValueError as exc:
        collection.fields = list(getattr(exc, "fields", []))
        return {"viewQuery": FieldError("validation_invalid_view_query", str(exc)).as_data()}
    return {}


def view_option_errors(collection: Collection) -> dict[str, Any]:
    """A view's records are read-only: write rules must be null; and it has no indexes (as PocketBase)."""
    errors: dict[str, Any] = {}
    for key, attribute in _WRITE_RULES:
        if getattr(collection, attribute) is not None:
            errors[key] = FieldError("validation_nil", "Must be blank.").as_data()
    if collection.indexes:
        errors["indexes"] = FieldError("validation_indexes_not_supported",
                                       "View collections don't support indexes.").as_data()
    return errors
