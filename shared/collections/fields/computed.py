"""The contract of computed field types (formula, lookup, rollup, count): values the server derives, never clients.

A computed field is read-only for clients: a value for it in a create/update body is ignored, as PocketBase
ignores one for an `autodate` field (its setter is a no-op; the oracle answers 200 and keeps its own value).
It is stored on the record like any field (so it filters, sorts and indexes like one) and presented like one.

Each type says what it reads (`depends_on`, for the dependency graph in shared/collections/computed_graph.py),
whether it is computed in the record's own write (`computed_in_write`: formulas) or maintained from the change
stream (lookups, rollups, counts), whether it depends on the clock (`time_dependent`: evaluated on read, never
stored), and its result type for the formulas that read it (`value_type`).

An evaluation error never fails a write: the value is stored as null and a marker with the error's message is
stored beside it, under `error_key(field.id)`; the API shows it as `"<name>:error"` (docs/computed-fields.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from shared.collections.fields.base import BaseField, SettingsContext
from shared.tools.formula.types import ANY, ValueType

if TYPE_CHECKING:
    from shared.collections.model import Collection

# looks a collection up by id or name (None when there is none)
FindCollection = Callable[[str], "Collection | None"]
# the stored data key of a computed field's error marker, and its key in the API JSON
ERROR_SUFFIX = ":error"


def error_key(field_id_or_name: str) -> str:
    """Where a field's evaluation error is kept: `<field id>:error` in storage, `<name>:error` in the JSON."""
    return field_id_or_name + ERROR_SUFFIX


class FieldRef(msgspec.Struct, frozen=True, order=True):
    """A field of a collection, as a node of the dependency graph."""

    collection_id: str
    field_name: str


class Computed(msgspec.Struct, frozen=True):
    """A computed value, or the evaluation error that left it null."""

    value: Any
    error: str | None = None


class ComputedField(BaseField):
    """Base of formula, lookup, rollup and count; subclasses add a Literal `type` and their options."""

    # the option an error about the definition (a cycle, an unknown field) is reported under
    definition_option: ClassVar[str] = "name"
    # computed by shared/records/computed.recompute in the record's own write (else by the change stream)
    computed_in_write: ClassVar[bool] = False

    def default_value(self) -> Any:
        """Null until computed: no value is a blank, not a zero (Airtable's semantics)."""
        return None

    def normalize(self, raw: Any) -> Any:
        """Stored values are already in shape; clients' values never get here (shared/records/body.py)."""
        return raw

    def from_stored(self, stored: Any) -> Any:
        return stored

    def depends_on(self, collection: Collection, find_collection: FindCollection) -> set[FieldRef]:
        """The fields (of this or other collections) whose values this one reads."""
        raise NotImplementedError

    @property
    def time_dependent(self) -> bool:
        """Whether the value changes with the clock (NOW, TODAY): then it is evaluated on read, never stored,
        and can be neither indexed nor sorted by."""
        return False

    def value_type(self, context: SettingsContext) -> ValueType:
        """The type of the value, for the formulas that read it (ANY when it is only known per value); context
        holds the sibling fields and finds other collections (as they would be saved)."""
        return ANY

    def compute(self, collection: Collection, values: Mapping[str, Any], *, now: datetime) -> Computed:
        """The value from the record's values by field name (only for computed_in_write fields)."""
        raise NotImplementedError

    def present(self, value: Any) -> Any:
        """The value as the API shows it (a display format, if any, applies here, on read only)."""
        return value
