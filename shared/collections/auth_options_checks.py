"""Validation of an auth collection's options (tokens, password auth, OAuth2, OTP, MFA, templates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.collections.field_errors import (
    FieldError,
    check_length,
    nil_or_not_empty_error,
    required_error,
)
from shared.collections.fields.base import check_bounds
from shared.collections.indexes import find_single_column_unique_index
from shared.collections.model import TOKEN_OPTION_KEYS, Collection, EmailTemplate, TokenConfig
from shared.collections.oauth2_options_checks import oauth2_option_errors

MAX_TOKEN_DURATION = 94670856  # ~3 years
MAX_OTP_MFA_DURATION = 86400

RuleCheck = Callable[[str | None, str | None], FieldError | None]


def auth_option_errors(collection: Collection, original: Collection | None, check_rule: RuleCheck) -> dict[str, Any]:
    """Rendered errors keyed by option name (empty when the options are valid)."""
    errors: dict[str, Any] = {}

    def put(key: str, error: FieldError | dict[str, Any] | None) -> None:
        if error:
            errors[key] = error.as_data() if isinstance(error, FieldError) else error

    put("authRule", check_rule(collection.auth_rule, original.auth_rule if original else ""))
    if collection.manage_rule is not None and not collection.manage_rule:
        put("manageRule", nil_or_not_empty_error())
    else:
        put("manageRule", check_rule(collection.manage_rule, original.manage_rule if original else None))
    put("authAlert", _nested({"emailTemplate": _template_errors(collection.auth_alert.email_template)}))
    password_auth = collection.password_auth
    if password_auth.enabled and not [name for name in password_auth.identity_fields if name]:
        put("passwordAuth", {"identityFields": required_error().as_data()})
    put("oauth2", oauth2_option_errors(collection))
    put("otp", _otp_errors(collection))
    put("mfa", _mfa_duration_errors(collection))
    for key in TOKEN_OPTION_KEYS:
        put(key, _token_errors(getattr(collection, _snake(key))))
    for key in ("verificationTemplate", "resetPasswordTemplate", "confirmEmailChangeTemplate"):
        put(key, _template_errors(getattr(collection, _snake(key))))
    # as PocketBase: the MFA and identity field checks only run (one after the other) once the rest is valid
    if not errors:
        put("mfa", _mfa_method_errors(collection, original, check_rule))
    if not errors:
        put("passwordAuth", _password_auth_errors(collection))
    return errors


def _token_errors(token: TokenConfig) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    try:
        if not token.secret:
            raise required_error()
        check_length(token.secret, 30, 255)
    except FieldError as error:
        errors["secret"] = error.as_data()
    try:
        if not token.duration:
            raise required_error()
        check_bounds(token.duration, 10, MAX_TOKEN_DURATION)
    except FieldError as error:
        errors["duration"] = error.as_data()
    return errors


def _template_errors(template: EmailTemplate) -> dict[str, Any]:
    errors = {}
    if not template.subject:
        errors["subject"] = required_error().as_data()
    if not template.body:
        errors["body"] = required_error().as_data()
    return errors


def _password_auth_errors(collection: Collection) -> dict[str, Any]:
    options = collection.password_auth
    if not options.enabled:
        return {}
    names = list(dict.fromkeys(name for name in options.identity_fields if name))
    for name in names:
        if collection.field_by_name(name) is None:
            error = FieldError("validation_missing_field", "Invalid or missing field {{.fieldName}}",
                               {"fieldName": name})
            return {"identityFields": error.as_data()}
        if find_single_column_unique_index(collection.indexes, name) is None:
            error = FieldError("validation_missing_unique_constraint",
                               "The field {{.fieldName}} doesn't have a UNIQUE constraint.", {"fieldName": name})
            return {"identityFields": error.as_data()}
    return {}


def _otp_errors(collection: Collection) -> dict[str, Any]:
    options = collection.otp
    errors: dict[str, Any] = {}
    if options.enabled:
        if not options.duration:
            errors["duration"] = required_error().as_data()
        else:
            _collect(errors, "duration", lambda: check_bounds(options.duration, 10, MAX_OTP_MFA_DURATION))
        if not options.length:
            errors["length"] = required_error().as_data()
        else:
            _collect(errors, "length", lambda: check_bounds(options.length, 4))
    template = _template_errors(options.email_template)
    if template:
        errors["emailTemplate"] = template
    return errors


def _mfa_duration_errors(collection: Collection) -> dict[str, Any]:
    options = collection.mfa
    if not options.enabled:
        return {}
    if not options.duration:
        return {"duration": required_error().as_data()}
    errors: dict[str, Any] = {}
    _collect(errors, "duration", lambda: check_bounds(options.duration, 10, MAX_OTP_MFA_DURATION))
    return errors


def _mfa_method_errors(collection: Collection, original: Collection | None, check_rule: RuleCheck) -> dict[str, Any]:
    options = collection.mfa
    if not options.enabled:
        return {}
    enabled_methods = sum((collection.password_auth.enabled, collection.oauth2.enabled, collection.otp.enabled))
    if enabled_methods < 2:
        return {"enabled": FieldError("validation_mfa_not_enough_auths",
                                      "MFA requires at least 2 auth methods to be enabled.").as_data()}
    rule_error = check_rule(options.rule, original.mfa.rule if original else "") if options.rule else None
    return {"rule": rule_error.as_data()} if rule_error else {}


def _collect(errors: dict[str, Any], key: str, check: Callable[[], None]) -> None:
    try:
        check()
    except FieldError as error:
        errors[key] = error.as_data()


def _nested(errors: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in errors.items() if value}


def _snake(camel: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in camel)
