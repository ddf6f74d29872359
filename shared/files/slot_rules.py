"""Which of a collection's rules a slot request can be judged by, before the record's body exists.

An upload slot is asked for without the body of the create or update it will go into, so a rule is evaluated
at slot time only when its value cannot depend on that body:
- a create rule, when every identifier in it is `@request.auth.*` (the caller alone: `@request.auth.id != ""`);
- an update rule, when no identifier is `@request.body`, `query`, `headers`, `method` or `context` (those belong
  to the later request); the record's fields are the existing record's, as the update's own first check reads.
Anything else waits for the attaching write, which checks every rule with the real body.
"""

from __future__ import annotations

from collections.abc import Iterator

from shared.tools.filter import And, Call, Compare, Expr, Identifier, Operand, Or

_LATER_REQUEST = frozenset(("body", "query", "headers", "method", "context"))


def _identifiers(node: Expr | Operand) -> Iterator[Identifier]:
    if isinstance(node, And | Or):
        for item in node.items:
            yield from _identifiers(item)
    elif isinstance(node, Compare):
        yield from _identifiers(node.left)
        yield from _identifiers(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _identifiers(arg)
    elif isinstance(node, Identifier):
        yield node


def _is_caller(identifier: Identifier) -> bool:
    return identifier.is_request and len(identifier.path) > 1 and identifier.path[1] == "auth"


def create_rule_judgeable(rule: Expr) -> bool:
    """Whether a create rule depends on the caller alone (no record field, no request body)."""
    return all(_is_caller(i) for i in _identifiers(rule))


def update_rule_judgeable(rule: Expr) -> bool:
    """Whether an update rule depends on nothing but the caller and the existing record."""
    return not any(i.is_request and len(i.path) > 1 and i.path[1] in _LATER_REQUEST for i in _identifiers(rule))
