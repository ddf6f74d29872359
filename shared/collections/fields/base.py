"""The contract every field type fulfils, and the settings checks they all share."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.collections.field_errors import (
    FieldError,
    check_length,
    max_error,
    min_error,
    not_in_error,
    required_error,
)
from shared.tools.filter import FilterError, parse_filter

# Go's \w is ASCII-only, unlike Python's
FIELD_NAME_REGEX = re.compile(r"^[A-Za-z0-9_]+$")
MAX_SAFE_JSON_INT = 2**53 - 1
MAX_HELP_LENGTH = 300
# names that would clash with filter literals or the dynamic record keys
RESERVED_FIELD_NAMES = ("null", "true", "false", "_rowid_", "collectionId", "collectionName", "expand")
# the additive field options of field-level rules, as they appear in a field's JSON
FIELD_RULE_KEYS = ("readRule", "writeRule")


class SettingsContext(msgspec.Struct, frozen=True):
    """What a field needs to know about its collection to check its own settings."""

    collection_id: str
    sibling_fields: Sequence[BaseField] = ()
    original_field: BaseField | None = None
    # true when a collection with exactly this id exists (or is the one being saved)
    collection_exists: Callable[[str], bool] = msgspec.field(default=lambda _id: False)
    # looks a collection up by id or name, the one being saved as it would be saved (computed fields' types)
    find_collection: Callable[[str], Any] = msgspec.field(default=lambda _id: None)


class BaseField(BaseModel):
    """Common options of every field type; subclasses add their own and a Literal `type`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True,
                              defer_build=True)

    id: str = ""
    name: str = ""
    system: bool = False
    hidden: bool = False
    presentable: bool = False
    help: str = ""
    # Lambdabase's field-level rules (docs/rules.md): None is no restriction; never serialised when None,
    # so a PocketBase client sees its own field JSON unchanged
    read_rule: str | None = None
    write_rule: str | None = None

    @property
    def field_type(self) -> str:
        """The discriminator value, e.g. "text"."""
        return str(getattr(self, "type", ""))

    def default_value(self) -> Any:
        """PocketBase's zero value for the field."""
        return ""

    def normalize(self, raw: Any) -> Any:
        """Coerce a JSON or multipart value into the field's stored shape."""
        raise NotImplementedError

    def from_stored(self, stored: Any) -> Any:
        """Read a stored value, tolerating shapes left by older settings (e.g. single vs multiple)."""
        return self.default_value() if stored is None else self.normalize(stored)

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        """Raise FieldError if the normalised value breaks the field's options."""

    def is_multiple(self) -> bool:
        """Whether the value is a list (multi select, relation or file)."""
        return False

    def to_json(self) -> dict[str, Any]:
        """The field as PocketBase serialises it (a Go map, hence sorted keys)."""
        data = self.model_dump(by_alias=True, mode="json")
        return {key: data[key] for key in sorted(data) if data[key] is not None or key not in FIELD_RULE_KEYS}

    def validate_settings(self, context: SettingsContext) -> dict[str, FieldError]:
        """Check the field's options; returns the first failure per option name."""
        errors: dict[str, FieldError] = {}
        run_checks(errors, "id", lambda: check_field_id(self.id))
        run_checks(errors, "name", lambda: check_field_name(self.name))
        run_checks(errors, "help", lambda: check_length(self.help, 1, MAX_HELP_LENGTH))
        run_checks(errors, "readRule", lambda: check_field_rule(self.read_rule))
        run_checks(errors, "writeRule", lambda: check_field_rule(self.write_rule))
        self.validate_options(context, errors)
        return errors

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        """Type specific settings checks; add failures to errors keyed by option name."""


def string_list(value: Any) -> Any:
    """Go answers an unset list option as [] (a None or missing one reads as empty)."""
    return [] if value is None else value


def is_blank_text(value: Any, *, required: bool) -> bool:
    """Check a text value's type and requiredness; True when it is blank and so needs no further checks."""
    if not isinstance(value, str):
        raise FieldError("validation_invalid_value", "Invalid value.")
    if value:
        return False
    if required:
        raise required_error()
    return True


def run_checks(errors: dict[str, FieldError], option: str, *checks: Callable[[], None]) -> None:
    """Run checks in order and keep the first failure, like one ozzo validation.Field."""
    if option in errors:
        return
    for check in checks:
        try:
            check()
        except FieldError as error:
            errors[option] = error
            return


def check_field_id(value: str) -> None:
    if not value:
        raise required_error()
    check_length(value, 1, 100)


def check_field_name(value: str) -> None:
    if not value:
        raise required_error()
    check_length(value, 1, 100)
    if not FIELD_NAME_REGEX.match(value):
        raise FieldError("validation_match_invalid", "must be in a valid format")
    if value in RESERVED_FIELD_NAMES:
        raise not_in_error()
    check_no_via(value)


def check_field_rule(rule: str | None) -> None:
    """A field's readRule/writeRule must be a valid filter, as a collection rule must (blank: no condition)."""
    if rule is None or not rule.strip():
        return
    try:
        parse_filter(rule)
    except FilterError as exc:
        raise FieldError("validation_invalid_rule", f"Invalid rule. Raw error: {exc}") from exc


def check_no_via(value: str) -> None:
    """"_via_" is reserved for back-relation expressions in filters."""
    if "_via_" in value.lower():
        raise FieldError("validation_found_via", 'The value cannot contain "_via_".')


def check_bounds(value: float | None, minimum: float | None = None, maximum: float | None = None) -> None:
    """ozzo's Min/Max threshold rules, which skip zero values."""
    if not value:
        return
    if minimum is not None and value < minimum:
        raise min_error(_threshold(minimum))
    if maximum is not None and value > maximum:
        raise max_error(_threshold(maximum))


def check_regex(pattern: str) -> None:
    """PocketBase's IsRegex: the pattern must compile (Python's engine stands in for Go's RE2)."""
    if not pattern:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FieldError("validation_invalid_regex", str(exc)) from exc


def _threshold(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
