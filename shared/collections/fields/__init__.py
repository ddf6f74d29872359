"""Collection field types as a pydantic discriminated union on `type`, with PocketBase's JSON shapes.

To add a field type: write its module (subclass BaseField, or MultiValueField for list values, with a
`type: Literal[...]`), then add the class to AnyField and FIELD_CLASSES below.
"""


from functools import cache
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from shared.collections.fields.autodate import AutodateField
from shared.collections.fields.base import BaseField, SettingsContext
from shared.collections.fields.boolean import BoolField
from shared.collections.fields.computed import ComputedField
from shared.collections.fields.count import CountField
from shared.collections.fields.date import DateField
from shared.collections.fields.editor import EditorField
from shared.collections.fields.email import EmailField
from shared.collections.fields.file import FileField
from shared.collections.fields.formula import FormulaField
from shared.collections.fields.geo_point import GeoPointField
from shared.collections.fields.json_field import JSONField
from shared.collections.fields.lookup import LinkedField, LookupField
from shared.collections.fields.multi_value import MultiValueField
from shared.collections.fields.number import NumberField
from shared.collections.fields.password import PasswordField, hash_password, verify_password
from shared.collections.fields.relation import RelationField
from shared.collections.fields.rollup import RollupField
from shared.collections.fields.select import SelectField
from shared.collections.fields.text import TextField
from shared.collections.fields.url import URLField

AnyField = Annotated[
    TextField | NumberField | BoolField | EmailField | URLField | EditorField | DateField | AutodateField
    | SelectField | JSONField | RelationField | PasswordField | GeoPointField | FileField | FormulaField
    | LookupField | RollupField | CountField,
    Field(discriminator="type"),
]

FIELD_CLASSES: dict[str, type[BaseField]] = {
    cls.model_fields["type"].default: cls
    for cls in (TextField, NumberField, BoolField, EmailField, URLField, EditorField, DateField, AutodateField,
                SelectField, JSONField, RelationField, PasswordField, GeoPointField, FileField, FormulaField,
                LookupField, RollupField, CountField)
}



@cache
def _field_adapter() -> TypeAdapter[Any]:
    # Built on first use: only a collection's save parses a lone field, and the union's validator is large.
    return TypeAdapter(AnyField)


def parse_field(data: dict[str, Any]) -> BaseField:
    """Build a field from its JSON (raises pydantic.ValidationError on an unknown type)."""
    field: BaseField = _field_adapter().validate_python(data)
    return field


__all__ = [
    "FIELD_CLASSES",
    "AnyField",
    "AutodateField",
    "BaseField",
    "BoolField",
    "ComputedField",
    "CountField",
    "DateField",
    "EditorField",
    "EmailField",
    "FileField",
    "FormulaField",
    "GeoPointField",
    "JSONField",
    "LinkedField",
    "LookupField",
    "MultiValueField",
    "NumberField",
    "PasswordField",
    "RelationField",
    "RollupField",
    "SelectField",
    "SettingsContext",
    "TextField",
    "URLField",
    "hash_password",
    "parse_field",
    "verify_password",
]
