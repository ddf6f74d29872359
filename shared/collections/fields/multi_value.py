"""Behaviour shared by fields holding one or many string values (select, relation, file)."""


from typing import Any

from shared.collections.coerce import to_unique_strings
from shared.collections.fields.base import BaseField


class MultiValueField(BaseField):
    """A field whose value is a string when maxSelect <= 1 and a list of strings otherwise."""

    max_select: int = 0

    def is_multiple(self) -> bool:
        return self.max_select > 1

    def default_value(self) -> str | list[str]:
        return [] if self.is_multiple() else ""

    def normalize(self, raw: Any) -> str | list[str]:
        """Repeated multipart keys arrive as lists; a single field keeps only the last value."""
        values = to_unique_strings(raw)
        if self.is_multiple():
            return values
        return values[-1] if values else ""

    def values_of(self, value: Any) -> list[str]:
        """The value as a list, whatever its current shape."""
        return to_unique_strings(value)

    def appended(self, current: Any, extra: Any) -> str | list[str]:
        """The "field+" modifier."""
        return self.normalize(self.values_of(current) + to_unique_strings(extra))

    def prepended(self, current: Any, extra: Any) -> str | list[str]:
        """The "+field" modifier."""
        return self.normalize(to_unique_strings(extra) + self.values_of(current))

    def subtracted(self, current: Any, removed: Any) -> str | list[str]:
        """The "field-" modifier."""
        drop = set(to_unique_strings(removed))
        return self.normalize([value for value in self.values_of(current) if value not in drop])
