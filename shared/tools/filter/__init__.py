"""PocketBase's filter, sort and fields languages: parse to an AST, evaluate through a resolver, project JSON.

Usage::

    expr = parse_filter('status = "active" && author.name ~ "ann"')   # FilterSyntaxError if invalid
    evaluate(expr, resolver, now=None)                                # resolver: a FieldResolver
    parse_sort("-created,title")                                      # [SortKey(...), ...]
    apply_fields(record, parse_fields("*,expand.author.name"))

The package imports nothing from the rest of `shared`; the domain plugs in through `FieldResolver`.
"""

from shared.tools.filter.ast import (
    And,
    Call,
    Compare,
    Expr,
    Identifier,
    Literal,
    Macro,
    Operand,
    Or,
    identifier_paths,
    to_text,
)
from shared.tools.filter.errors import FilterError, FilterEvaluationError, FilterSyntaxError
from shared.tools.filter.evaluate import evaluate
from shared.tools.filter.fields import Excerpt, FieldSelector, FieldsSpec, apply_fields, parse_fields
from shared.tools.filter.limits import MAX_EXPRESSIONS, MAX_FILTER_LENGTH, MAX_NESTING_DEPTH, MAX_SORT_KEYS
from shared.tools.filter.parser import parse_filter
from shared.tools.filter.resolver import CONCEALED, Concealed, FieldResolver, Resolved
from shared.tools.filter.sort import RANDOM_SORT, ROWID_SORT, SortKey, parse_sort

__all__ = [
    "CONCEALED",
    "MAX_EXPRESSIONS",
    "MAX_FILTER_LENGTH",
    "MAX_NESTING_DEPTH",
    "MAX_SORT_KEYS",
    "RANDOM_SORT",
    "ROWID_SORT",
    "And",
    "Call",
    "Compare",
    "Concealed",
    "Excerpt",
    "Expr",
    "FieldResolver",
    "FieldSelector",
    "FieldsSpec",
    "FilterError",
    "FilterEvaluationError",
    "FilterSyntaxError",
    "Identifier",
    "Literal",
    "Macro",
    "Operand",
    "Or",
    "Resolved",
    "SortKey",
    "apply_fields",
    "evaluate",
    "identifier_paths",
    "parse_fields",
    "parse_filter",
    "parse_sort",
    "to_text",
]
