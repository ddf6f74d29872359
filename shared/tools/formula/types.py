"""The value types of the formula language and how they combine; a list type names its item type."""

from __future__ import annotations

import msgspec


class ValueType(msgspec.Struct, frozen=True):
    """number, text, bool, date, any (unknown until evaluated, e.g. a JSON field), or a list of one of these."""

    kind: str
    item: ValueType | None = None

    def __str__(self) -> str:
        return f"list of {self.item}" if self.kind == "list" and self.item else self.kind

    @property
    def is_list(self) -> bool:
        return self.kind == "list"


NUMBER = ValueType("number")
TEXT = ValueType("text")
BOOL = ValueType("bool")
DATE = ValueType("date")
ANY = ValueType("any")
SCALAR_KINDS = ("number", "text", "bool", "date", "any")


def list_of(item: ValueType) -> ValueType:
    """A list type; lists of lists flatten, as Airtable's lookups of lookups do."""
    while item.is_list and item.item is not None:
        item = item.item
    return ValueType("list", item)


def common(types: list[ValueType]) -> ValueType:
    """The type of a value that is one of these (IF's branches, SWITCH's results): equal, or any."""
    known = [t for t in types if t.kind != "any"]
    if not known:
        return ANY
    first = known[0]
    return first if all(t == first for t in known) else ANY
