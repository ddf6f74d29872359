"""The seam between the filter language and the domain: `FieldResolver` answers identifiers with `Resolved`.

The evaluator never fetches data. For each identifier it calls `resolver.resolve(identifier)`; the domain
implements it for record fields, relations, back-relations, `@request.*` and `@collection.*`, and raises
`FilterEvaluationError` for identifiers it does not allow (unknown field, hidden field, modifier that
does not apply to the field type, ...).

What to return, by modifier (`identifier.modifier`):

- none, `lower`, `length`, `each`: the field's raw values; the evaluator applies the modifier.
  Set `modifier_applied=True` when you already did (e.g. `:length` of a field reached through a
  multi-valued relation, where each related record has its own length).
- `isset`: anything, with `exists` telling whether the key was sent; the evaluator turns it into a bool.
- `changed`: the answer itself, e.g. `Resolved([True], multi=False)`.

`null_fallback=False` (PocketBase's NullFallbackDisabled, for JSON fields and paths into them) makes `=`/`!=`
compare as SQL's `IS`/`IS NOT`: null is then no empty text, so `meta != ""` holds for an unset `meta`.

`multi=True` marks a multi-valued operand (multiple relation, multiple select/file, back-relation,
`@collection` rows): without `?` every value must match, with `?` at least one. An empty `values` list
stands for a single null value (PocketBase's LEFT JOIN gives one NULL row).

A value the caller may not see (e.g. an auth record's email whose owner hid it) is answered as
`CONCEALED`: every comparison with it is false, whatever the operator (PocketBase ANDs such a comparison
with the visibility condition), and anything that does not know the marker sees an empty text, so it
sorts as null and never reveals the value.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from shared.tools.filter.ast import Identifier


class Concealed(str):
    """The type of `CONCEALED`: an empty text that the evaluator never lets match."""

    __slots__ = ()


CONCEALED = Concealed("")


class Resolved(msgspec.Struct, frozen=True):
    """The values an identifier stands for in the record/request being evaluated."""

    values: list[Any]
    multi: bool
    exists: bool = True
    modifier_applied: bool = False
    null_fallback: bool = True


class FieldResolver(Protocol):
    """Answers identifiers for one evaluation (one record, one request)."""

    def resolve(self, identifier: Identifier) -> Resolved:
        """Return the values of `identifier`, or raise FilterEvaluationError if it is not allowed."""
        ...
