"""The formula AST: small frozen nodes, each with its 0-based position in the formula text."""

from __future__ import annotations

import msgspec


class Number(msgspec.Struct, frozen=True):
    value: int | float
    pos: int


class Text(msgspec.Struct, frozen=True):
    value: str
    pos: int


class FieldRef(msgspec.Struct, frozen=True):
    """`{Field name}` or a bare name."""

    name: str
    pos: int


class Call(msgspec.Struct, frozen=True):
    name: str  # upper-cased, as Airtable's function names are case-insensitive
    args: tuple[Node, ...]
    pos: int


class Negate(msgspec.Struct, frozen=True):
    operand: Node
    pos: int


class Chain(msgspec.Struct, frozen=True):
    """Operators of one precedence level, left to right: `first (op operand)*`, kept flat so that a long sum
    is not a deep tree."""

    first: Node
    rest: tuple[tuple[str, Node, int], ...]
    pos: int


Node = Number | Text | FieldRef | Call | Negate | Chain


def field_names(node: Node) -> list[str]:
    """The field names a formula references, in order of appearance, without repeats."""
    seen: dict[str, None] = {}
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FieldRef):
            seen.setdefault(current.name, None)
        elif isinstance(current, Call):
            stack.extend(reversed(current.args))
        elif isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, Chain):
            stack.extend(reversed([operand for _, operand, _ in current.rest]))
            stack.append(current.first)
    return list(seen)


def calls(node: Node) -> set[str]:
    """The function names a formula calls."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Call):
            found.add(current.name)
            stack.extend(current.args)
        elif isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, Chain):
            stack.append(current.first)
            stack.extend(operand for _, operand, _ in current.rest)
    return found
