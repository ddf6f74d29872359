"""The filter AST: frozen structs (msgspec) a query planner can inspect, and `to_text` to print them back.

Shape::

    Expr    = And | Or | Compare
    Operand = Literal | Identifier | Macro | Call

- `And(items)` / `Or(items)`: two or more sub-expressions; the parser flattens `a && (b && c)`.
- `Compare(left, op, right, any_of)`: `op` is the base operator (`= != > >= < <= ~ !~`); `any_of` is True for
  the `?`-prefixed forms (`?=`, `?~`, ...).
- `Literal(value)`: a quoted text (str), a number (int or float), `true`/`false` (bool) or `null` (None).
- `Identifier(path, modifier)`: the dotted path split on `.`, with the trailing `:modifier` split off.
  `@request.auth.id` -> `('@request', 'auth', 'id')`. The `@collection` alias stays in its segment:
  `@collection.posts:p.title` -> `('@collection', 'posts:p', 'title')`; use `collection_name` and
  `collection_alias` rather than splitting it yourself.
- `Macro(name)`: a datetime macro, name with its `@` (`@now`, `@todayStart`, ...).
- `Call(name, args)`: `geoDistance(...)` or `strftime(...)`; args are operands (never nested calls).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

LiteralValue = str | int | float | bool | None

BASE_OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "~", "!~")
MODIFIERS = frozenset({"isset", "length", "each", "lower", "changed"})


class Literal(msgspec.Struct, frozen=True, eq=False):
    """A constant operand: text, number, bool or null."""

    value: LiteralValue

    # Python holds True == 1 == 1.0; literals of different types must stay different nodes.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    def __str__(self) -> str:
        return to_text(self)


class Identifier(msgspec.Struct, frozen=True):
    """A field or request path such as `author.name` or `@request.body.tags:length`."""

    path: tuple[str, ...]
    modifier: str | None = None

    @property
    def dotted(self) -> str:
        """The path joined with dots, without the modifier."""
        return ".".join(self.path)

    @property
    def is_request(self) -> bool:
        return self.path[0] == "@request"

    @property
    def is_collection(self) -> bool:
        return self.path[0] == "@collection"

    @property
    def collection_name(self) -> str | None:
        """For `@collection.name[:alias].field`, the collection name; otherwise None."""
        return self.path[1].split(":", 1)[0] if self.is_collection else None

    @property
    def collection_alias(self) -> str | None:
        """For `@collection.name:alias.field`, the alias (the name when there is none); otherwise None."""
        if not self.is_collection:
            return None
        name, _, alias = self.path[1].partition(":")
        return alias or name

    def __str__(self) -> str:
        return to_text(self)


class Macro(msgspec.Struct, frozen=True):
    """A datetime macro such as `@now`, evaluated in UTC."""

    name: str

    def __str__(self) -> str:
        return to_text(self)


class Call(msgspec.Struct, frozen=True):
    """A function call: `geoDistance(lonA, latA, lonB, latB)` or `strftime(format, time, modifiers...)`."""

    name: str
    args: tuple[Operand, ...]

    def __str__(self) -> str:
        return to_text(self)


class Compare(msgspec.Struct, frozen=True):
    """`left op right`; `any_of` marks the `?op` form (at least one value must match)."""

    left: Operand
    op: str
    right: Operand
    any_of: bool = False

    def __str__(self) -> str:
        return to_text(self)


class And(msgspec.Struct, frozen=True):
    """All items must hold."""

    items: tuple[Expr, ...]

    def __str__(self) -> str:
        return to_text(self)


class Or(msgspec.Struct, frozen=True):
    """At least one item must hold."""

    items: tuple[Expr, ...]

    def __str__(self) -> str:
        return to_text(self)


Operand = Literal | Identifier | Macro | Call
Expr = And | Or | Compare
Node = Expr | Operand


def to_text(node: Node) -> str:
    """Print a node as canonical filter text (one space around operators, `"` quotes, minimal parens).

    Parsing the result gives the same AST, except for texts that end with a backslash, which the grammar
    cannot quote (a quote right after a backslash is escaped).
    """
    if isinstance(node, And):
        return " && ".join(_wrap_if_or(item) for item in node.items)
    if isinstance(node, Or):
        return " || ".join(to_text(item) for item in node.items)
    if isinstance(node, Compare):
        sign = ("?" if node.any_of else "") + node.op
        return f"{to_text(node.left)} {sign} {to_text(node.right)}"
    if isinstance(node, Identifier):
        return node.dotted + (f":{node.modifier}" if node.modifier else "")
    if isinstance(node, Macro):
        return node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(arg) for arg in node.args)})"
    return _literal_text(node.value)


def _wrap_if_or(item: Expr) -> str:
    # && binds tighter than ||, so only an Or inside an And needs parentheses.
    text = to_text(item)
    return f"({text})" if isinstance(item, Or) and len(item.items) > 1 else text


def _literal_text(value: LiteralValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    quote = "'" if '"' in value and "'" not in value else '"'
    return quote + value.replace(quote, "\\" + quote) + quote


def format_number(value: int | float) -> str:
    """Positional notation (never `1e+20`), integral floats keep one decimal so they stay floats."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def identifier_paths(expr: Expr | None) -> list[tuple[str, ...]]:
    """Every field path a filter names, in first-seen order, leaving out `@request.*`, `@collection.*` and the
    other `@` roots (what a resolver of the filtered items must know)."""
    found: list[tuple[str, ...]] = []
    stack: list[object] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, (And, Or)):
            stack.extend(node.items)
        elif isinstance(node, Compare):
            stack.extend((node.left, node.right))
        elif isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, Identifier) and not node.path[0].startswith("@"):
            found.append(node.path)
    return list(dict.fromkeys(found))
