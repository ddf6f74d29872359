"""The "formula" field: an Airtable formula over the record's own fields (and stored lookups/rollups), computed
in the record's write; with NOW() or TODAY(), evaluated on read instead. Read-only for clients.

Options (additive to PocketBase's field JSON): `formula` (the text), `format` (an optional display format, see
FormulaFormat), and `resultType`, set by the server when the collection is saved (number, text, bool, date,
any, or "list of <type>").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.collections.coerce import to_number
from shared.collections.datetime import format_datetime, normalize_datetime, parse_datetime
from shared.collections.field_errors import FieldError
from shared.collections.fields.autodate import AutodateField
from shared.collections.fields.base import BaseField, SettingsContext
from shared.collections.fields.boolean import BoolField
from shared.collections.fields.computed import Computed, ComputedField, FieldRef, FindCollection
from shared.collections.fields.date import DateField
from shared.collections.fields.number import NumberField
from shared.collections.fields.password import PasswordField
from shared.tools.formula.errors import FormulaDefinitionError, FormulaEvaluationError
from shared.tools.formula.types import ANY, BOOL, DATE, NUMBER, TEXT, ValueType, list_of
from shared.tools.formula.values import ErrorValue

if TYPE_CHECKING:
    from shared.collections.model import Collection

FORMULA_OPTION = "formula"
MAX_DECIMALS = 10
MAX_DATE_FORMAT_LENGTH = 100
# a hash or a token key must never become readable through a formula's value
_SECRET_FIELD_NAMES = ("tokenKey",)


class FormulaFormat(BaseModel):
    """How a value is shown on read: `decimals` rounds a number (it stays a number); `style` "currency" or
    "percent" turns it into text ("$1,234.50", "12.5%"); `date` (moment tokens) and `timeZone` turn a date into
    text. Filters, sorts and indexes always see the stored value."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)

    decimals: int | None = None
    style: Literal["number", "currency", "percent"] = "number"
    currency: str = "$"
    date: str | None = None
    time_zone: str | None = None


class FormulaField(ComputedField):
    type: Literal["formula"] = "formula"
    formula: str = ""
    format: FormulaFormat | None = None
    result_type: str = ""

    definition_option: ClassVar[str] = FORMULA_OPTION
    computed_in_write: ClassVar[bool] = True

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if data.get("format") is None:
            data.pop("format", None)
        return data

    def is_multiple(self) -> bool:
        return self.result_type.startswith("list")

    def normalize(self, raw: Any) -> Any:
        """A filter literal compared with the value: coerced to the result type, as for a plain field."""
        if raw is None or self.result_type in ("", "any") or self.is_multiple():
            return raw
        if self.result_type == "number":
            return to_number(raw)
        if self.result_type == "bool":
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true")
        if self.result_type == "date":
            return normalize_datetime(raw)
        return raw if isinstance(raw, str) else str(raw)

    def depends_on(self, collection: Collection, find_collection: FindCollection) -> set[FieldRef]:
        from shared.tools.formula.compile import referenced_fields

        return {FieldRef(collection.id, name) for name in referenced_fields(self.formula)}

    @property
    def time_dependent(self) -> bool:
        from shared.tools.formula.compile import reads_clock

        return reads_clock(self.formula)

    def value_type(self, context: SettingsContext) -> ValueType:
        return _types(context, frozenset()).formula_type(self)

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        from shared.tools.formula.compile import compile_formula

        try:
            compiled = compile_formula(self.formula, _types(context, frozenset({self.name})))
        except FormulaDefinitionError as exc:
            errors[FORMULA_OPTION] = FieldError(f"validation_{exc.code}", exc.message,
                                                {"position": exc.position, "line": exc.line, "column": exc.column})
            return
        self.result_type = str(compiled.result_type)  # the server's, whatever the body said
        error = self._format_error()
        if error:
            errors["format"] = error

    def _format_error(self) -> FieldError | None:
        fmt = self.format
        if fmt is None:
            return None
        if fmt.decimals is not None and not 0 <= fmt.decimals <= MAX_DECIMALS:
            return FieldError("validation_invalid_format", f"decimals must be between 0 and {MAX_DECIMALS}.")
        if fmt.date is not None and len(fmt.date) > MAX_DATE_FORMAT_LENGTH:
            return FieldError("validation_invalid_format",
                              f"The date format is longer than {MAX_DATE_FORMAT_LENGTH} characters.")
        if len(fmt.currency) > 8:
            return FieldError("validation_invalid_format", "The currency symbol is longer than 8 characters.")
        if fmt.time_zone is not None:
            try:
                ZoneInfo(fmt.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                return FieldError("validation_invalid_format", f"{fmt.time_zone!r} is not a time zone.")
        return None

    def compute(self, collection: Collection, values: Mapping[str, Any], *, now: datetime) -> Computed:
        # imported on first use: a cold start that computes no formula never loads the evaluator
        from shared.tools.formula.compile import referenced_fields
        from shared.tools.formula.evaluate import evaluate_node
        from shared.tools.formula.parser import parse_formula

        try:
            tree = parse_formula(self.formula)
            inputs = {}
            for name in referenced_fields(self.formula):
                field = collection.field_by_name(name)
                if field is not None:
                    inputs[name] = _input(field, values.get(name))
            return Computed(_stored(evaluate_node(tree, inputs, now)))
        except FormulaDefinitionError as exc:  # a stored definition that no longer parses: an error, not a 500
            return Computed(None, exc.message)
        except FormulaEvaluationError as exc:
            return Computed(None, exc.message)

    def present(self, value: Any) -> Any:
        fmt = self.format
        if fmt is None or value is None:
            return value
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return _format_number(value, fmt)
        if isinstance(value, str) and fmt.date is not None and self.result_type == "date":
            moment = parse_datetime(value)
            if moment is None:
                return value
            try:
                zone = ZoneInfo(fmt.time_zone) if fmt.time_zone else None
            except (ZoneInfoNotFoundError, ValueError):
                zone = None
            from shared.tools.formula.date_format import format_date

            return format_date(moment.astimezone(zone) if zone else moment, fmt.date)
        return value


def _format_number(value: int | float, fmt: FormulaFormat) -> Any:
    shown = value * 100 if fmt.style == "percent" else value
    if fmt.decimals is not None:
        shown = round(shown, fmt.decimals)
    if fmt.style == "number":
        return int(shown) if fmt.decimals == 0 else shown
    places = fmt.decimals if fmt.decimals is not None else (2 if fmt.style == "currency" else 0)
    text = f"{abs(shown):,.{places}f}"
    if fmt.style == "currency":
        return f"-{fmt.currency}{text}" if shown < 0 else f"{fmt.currency}{text}"
    return f"{'-' if shown < 0 else ''}{text}%"


def _input(field: BaseField, value: Any) -> Any:
    """A stored value as the formula reads it: dates as dates, secrets never."""
    if isinstance(value, ErrorValue):
        return value
    if isinstance(field, DateField | AutodateField):
        return parse_datetime(value) if value else None
    if isinstance(field, PasswordField) or field.name in _SECRET_FIELD_NAMES:
        return None
    return value


def _stored(value: Any) -> Any:
    """A result as stored: dates in PocketBase's format (so they filter and sort as date fields do)."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, list):
        return [_stored(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _types:
    """The FormulaResolver of a collection being saved: its fields' value types by name."""

    def __init__(self, context: SettingsContext, visiting: frozenset[str]) -> None:
        self.context = context
        self.visiting = visiting
        self.by_name = {f.name: f for f in context.sibling_fields}

    def field_type(self, name: str) -> ValueType | None:
        field = self.by_name.get(name)
        if field is None or isinstance(field, PasswordField) or name in _SECRET_FIELD_NAMES:
            return None  # secrets read as unknown fields
        return self.type_of(field)

    def type_of(self, field: BaseField) -> ValueType:
        if isinstance(field, FormulaField):
            return self.formula_type(field)
        if isinstance(field, ComputedField):
            return field.value_type(self.context)
        return plain_type(field)

    def formula_type(self, field: FormulaField) -> ValueType:
        if field.name in self.visiting:
            return ANY  # a cycle: the graph check reports it
        try:
            from shared.tools.formula.compile import compile_formula

            return compile_formula(field.formula, _types(self.context, self.visiting | {field.name})).result_type
        except FormulaDefinitionError:
            return ANY  # its own check reports it


def plain_type(field: BaseField) -> ValueType:
    """The formula type of a stored (non-computed) field's value."""
    if isinstance(field, NumberField):
        return NUMBER
    if isinstance(field, BoolField):
        return BOOL
    if isinstance(field, DateField | AutodateField):
        return DATE
    kind = field.field_type
    if kind in ("text", "email", "url", "editor", "select", "relation", "file"):
        return list_of(TEXT) if field.is_multiple() else TEXT
    return ANY
