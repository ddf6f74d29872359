"""Per-field validation errors with PocketBase's codes, messages and params (ozzo-validation style)."""

from __future__ import annotations

from typing import Any

from shared.errors import BadRequestError

# Nested error data as PocketBase answers it: leaves are {code, message[, params]}, branches are maps.
ErrorData = dict[str, Any]


def sentenize(message: str) -> str:
    """Capitalise and end with a period, as PocketBase's inflector.Sentenize does for every message."""
    text = message.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


class ErrorEntry(dict[str, Any]):
    """One rendered {code, message[, params]} that also remembers ozzo's raw message (before Sentenize),
    which PocketBase shows when it serialises errors into a text (the import failure)."""

    raw_message: str = ""


class FieldError(Exception):
    """One field's validation failure; renders as PocketBase's {code, message[, params]}."""

    def __init__(self, code: str, message: str, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.params = params or {}
        self.raw_message = _render(message, self.params)
        self.message = sentenize(self.raw_message)
        super().__init__(self.message)

    def as_data(self) -> dict[str, Any]:
        """The error entry PocketBase puts under the field name."""
        data = ErrorEntry(code=self.code, message=self.message)
        data.raw_message = self.raw_message
        if self.params:
            data["params"] = self.params
        return data


class NestedFieldErrors(FieldError):
    """Errors of a list option's items, keyed by position (ozzo's validation.Each)."""

    def __init__(self, data: ErrorData) -> None:
        super().__init__("validation_nested", "invalid items")
        self.data = data

    def as_data(self) -> dict[str, Any]:
        return self.data


def _render(template: str, params: dict[str, Any]) -> str:
    # ozzo-validation renders {{.name}} placeholders from the params map
    for key, value in params.items():
        template = template.replace("{{." + key + "}}", str(value))
    return template


def error_data(errors: dict[str, Any]) -> ErrorData:
    """Render a map of FieldErrors and already rendered (possibly nested) entries into PocketBase's data."""
    return {key: error.as_data() if isinstance(error, FieldError) else error for key, error in errors.items()}


def bad_request(message: str, errors: dict[str, Any]) -> BadRequestError:
    """A 400 carrying the rendered error data."""
    return BadRequestError(message, error_data(errors))


# Common ozzo-validation and PocketBase errors, built fresh because they carry params.

def required_error() -> FieldError:
    return FieldError("validation_required", "cannot be blank")


def nil_or_not_empty_error() -> FieldError:
    return FieldError("validation_nil_or_not_empty_required", "cannot be blank")


def empty_error() -> FieldError:
    return FieldError("validation_empty", "must be blank")


def values_mismatch_error() -> FieldError:
    return FieldError("validation_values_mismatch", "Values don't match.")


def match_error() -> FieldError:
    return FieldError("validation_match_invalid", "must be in a valid format")


def in_error() -> FieldError:
    return FieldError("validation_in_invalid", "must be a valid value")


def not_in_error() -> FieldError:
    return FieldError("validation_not_in_invalid", "must not be in list")


def min_error(threshold: Any) -> FieldError:
    return FieldError("validation_min_greater_equal_than_required", "must be no less than {{.threshold}}",
                      {"threshold": threshold})


def max_error(threshold: Any) -> FieldError:
    return FieldError("validation_max_less_equal_than_required", "must be no greater than {{.threshold}}",
                      {"threshold": threshold})


def length_error(minimum: int, maximum: int) -> FieldError:
    """ozzo's Length(min, max) failure, whose code depends on which bound is set."""
    params = {"min": minimum, "max": maximum}
    if minimum == maximum:
        return FieldError("validation_length_invalid", "the length must be exactly {{.min}}", params)
    if minimum == 0:
        return FieldError("validation_length_too_long", "the length must be no more than {{.max}}", params)
    if maximum == 0:
        return FieldError("validation_length_too_short", "the length must be no less than {{.min}}", params)
    return FieldError("validation_length_out_of_range", "the length must be between {{.min}} and {{.max}}",
                      params)


def check_length(value: str, minimum: int, maximum: int) -> None:
    """ozzo's Length rule: empty values pass (Required catches them), runes are counted."""
    if value and not (minimum <= len(value) and (maximum == 0 or len(value) <= maximum)):
        raise length_error(minimum, maximum)
