"""The auth-record rules checked before field validation: password confirmation, old password, and
which system fields (email, verified) only a manager may change."""

from __future__ import annotations

from typing import Any

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError, required_error, values_mismatch_error
from shared.collections.fields import verify_password


def auth_form_errors(body: dict[str, Any], values: dict[str, Any], original: dict[str, Any], *, is_new: bool,
                     has_manage_access: bool, stored_password_hash: str) -> dict[str, FieldError]:
    """Errors keyed by email/verified/password/passwordConfirm/oldPassword (empty when all is well).

    values and original are field values by name after and before the body was applied.
    """
    password = to_string(body.get("password"))
    confirm = to_string(body.get("passwordConfirm"))
    old_password = to_string(body.get("oldPassword"))
    errors: dict[str, FieldError] = {}

    # only managers (manageRule or superuser) change these directly; others go through the email flows
    if not is_new and not has_manage_access and values.get("email") != original.get("email"):
        errors["email"] = values_mismatch_error()
    if not has_manage_access and bool(values.get("verified")) != bool(original.get("verified")):
        errors["verified"] = values_mismatch_error()

    if (is_new or confirm or old_password) and not password:
        errors["password"] = required_error()
    if (is_new or password or old_password) and not confirm:
        errors["passwordConfirm"] = required_error()
    elif confirm != password:
        errors["passwordConfirm"] = values_mismatch_error()

    if not is_new and not has_manage_access and (password or confirm):
        if not old_password:
            errors["oldPassword"] = required_error()
        elif not verify_password(stored_password_hash, old_password):
            errors["oldPassword"] = FieldError("validation_invalid_old_password", "Missing or invalid old password.")
    return errors
