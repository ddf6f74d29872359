"""POST /api/collections/meta/validate-rule: whether a rule parses and names only fields that exist, for the
dashboard's rule editor as the superuser types (nothing is saved). The same checks a collection save runs."""

from __future__ import annotations

from typing import Any

from shared.collections.collection_load import FindCollection, load_collection
from shared.collections.model import Collection
from shared.errors import ApiError, BadRequestError
from shared.records.rules import check_rule, unknown_identifier
from shared.tools.filter import FilterError

# Bounds the request: a rule is one filter expression, far shorter than this in practice.
MAX_RULE_LENGTH = 3500
LOAD_ERROR = "An error occurred while loading the submitted data."


def _invalid(field: str, code: str, message: str) -> BadRequestError:
    return BadRequestError("An error occurred while validating the submitted data.",
                           {field: {"code": code, "message": message}})


def _draft(value: Any, find: FindCollection) -> Collection | None:
    """The collection the rule belongs to: a saved one by id or name, or the editor's unsaved draft (its JSON).
    A draft that does not load (still being typed) leaves only the syntax check."""
    if value is None:
        return None
    if isinstance(value, str):
        found = find(value)
        if found is None:
            raise _invalid("collection", "validation_missing_collection", "No collection with this id or name.")
        return found
    if not isinstance(value, dict):
        raise _invalid("collection", "validation_invalid_collection", "Must be an id, a name or a collection.")
    existing = find(value["id"]) if isinstance(value.get("id"), str) and value["id"] else None
    try:
        return load_collection(value, existing, find)
    except ApiError:
        return None


def validate_rule(body: Any, find: FindCollection) -> dict[str, Any]:
    """{"valid": true} or {"valid": false, "message": PocketBase's save-time message}; 400 for a bad request."""
    if not isinstance(body, dict):
        raise BadRequestError(LOAD_ERROR, {})
    rule = body.get("rule")
    if not isinstance(rule, str):
        raise _invalid("rule", "validation_required", "Must be a rule text.")
    if len(rule) > MAX_RULE_LENGTH:
        raise _invalid("rule", "validation_length_out_of_range", f"Must be at most {MAX_RULE_LENGTH} characters.")
    collection = _draft(body.get("collection"), find)
    if not rule.strip():
        return {"valid": True}
    try:
        check_rule(rule)
    except FilterError as exc:
        return {"valid": False, "message": f"Invalid rule. Raw error: {exc}"}
    if collection is not None:
        problem = unknown_identifier(rule, collection, find)
        if problem:
            return {"valid": False, "message": f"Invalid rule. Raw error: {problem}."}
    return {"valid": True}
