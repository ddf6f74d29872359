"""Parse Airtable's formula syntax with lark into the AST (shared/tools/formula/ast.py), within the limits."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from shared.tools.formula.ast import Call, Chain, FieldRef, Negate, Node, Number, Text
from shared.tools.formula.errors import FormulaDefinitionError
from shared.tools.formula.limits import MAX_FORMULA_LENGTH, MAX_FUNCTION_ARGS, MAX_NESTING_DEPTH, MAX_NODES

if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

# Precedence, loosest first: comparison, `&`, `+ -`, `* /`, unary minus (Airtable's order).
_GRAMMAR = r"""
?start: expr
?expr: comparison
?comparison: concat (COMP_OP concat)*
?concat: additive (CONCAT_OP additive)*
?additive: product (ADD_OP product)*
?product: unary (MUL_OP unary)*
?unary: NEG unary -> negate
      | atom
?atom: NUMBER -> number
     | STRING -> string
     | BRACED -> braced
     | NAME "(" [expr ("," expr)*] ")" -> call
     | NAME -> bare
     | "(" expr ")"
COMP_OP: "!=" | "<=" | ">=" | "=" | "<" | ">"
CONCAT_OP: "&"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
NEG: "-"
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
STRING: /"(\\.|[^"\\])*"/ | /'(\\.|[^'\\])*'/
BRACED: /\{[^{}]*\}/
NAME: /[A-Za-z_][A-Za-z0-9_.]*/
%ignore /\s+/
"""

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


@functools.cache
def _lark() -> Lark:
    # imported and built on first use (about 0.1 s each): cold starts that never parse a formula skip both
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parse_formula(text: str) -> Node:
    """Parse a formula; raises FormulaDefinitionError (with the position) for invalid text or a broken limit."""
    if not isinstance(text, str):
        raise FormulaDefinitionError("The formula must be text.", 0, code="empty_formula")
    return _parse_cached(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Node:
    # the tree is immutable: every write of a collection evaluates the same few formulas
    if not text.strip():
        raise FormulaDefinitionError("The formula is empty.", 0, code="empty_formula")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaDefinitionError(f"The formula is longer than {MAX_FORMULA_LENGTH} characters.",
                                     MAX_FORMULA_LENGTH, code="formula_too_long", text=text)
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from exc
    except (LarkError, RecursionError) as exc:
        raise FormulaDefinitionError("The formula could not be parsed.", 0, text=text) from exc
    _check_size(tree, text)
    return _build(tree, text)


def _syntax_error(exc: UnexpectedInput, text: str) -> FormulaDefinitionError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedEOF):
        return FormulaDefinitionError("The formula ends too early.", len(text), code="formula_syntax", text=text)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return FormulaDefinitionError("The formula ends too early.", len(text), code="formula_syntax", text=text)
        pos = token.start_pos if token.start_pos is not None else 0
        return FormulaDefinitionError(f"Unexpected {str(token)!r}.", pos, code="formula_syntax", text=text)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        hint = " (an unclosed quote or brace?)" if char in "\"'{" else ""
        return FormulaDefinitionError(f"Unexpected character {char!r}{hint}.", pos, code="formula_syntax", text=text)
    return FormulaDefinitionError("The formula could not be parsed.", 0, code="formula_syntax", text=text)


def _check_size(tree: Tree[Any], text: str) -> None:
    """Depth and node count, walked without recursion, before anything recurses over the tree."""
    from lark import Tree

    nodes = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if not isinstance(node, Tree):
            continue
        pos = _pos(node)
        if depth > MAX_NESTING_DEPTH:
            raise FormulaDefinitionError(f"The formula nests deeper than {MAX_NESTING_DEPTH} levels.", pos,
                                         code="formula_too_deep", text=text)
        if nodes > MAX_NODES:
            raise FormulaDefinitionError(f"The formula has more than {MAX_NODES} parts.", pos,
                                         code="formula_too_large", text=text)
        if node.data == "call" and len(node.children) - 1 > MAX_FUNCTION_ARGS:
            raise FormulaDefinitionError(f"A function call has more than {MAX_FUNCTION_ARGS} arguments.", pos,
                                         code="formula_too_many_args", text=text)
        stack.extend((child, depth + 1) for child in node.children if child is not None)


def _pos(node: Tree[Any] | Token) -> int:
    from lark import Token

    if isinstance(node, Token):
        return node.start_pos or 0
    return node.meta.start_pos if not node.meta.empty else 0


def _build(node: Tree[Any] | Token, text: str) -> Node:
    from lark import Token

    if isinstance(node, Token):  # a parenthesised single token never reaches here: rules wrap tokens
        raise FormulaDefinitionError(f"Unexpected {str(node)!r}.", _pos(node), code="formula_syntax", text=text)
    kind, children, pos = node.data, node.children, _pos(node)
    if kind == "number":
        raw = str(children[0])
        value = float(raw)
        return Number(int(value) if value.is_integer() and abs(value) < 2**53 and "e" not in raw.lower()
                      else value, pos)
    if kind == "string":
        return Text(_unquote(str(children[0])), pos)
    if kind == "braced":
        return FieldRef(str(children[0])[1:-1].strip(), pos)
    if kind == "bare":
        return FieldRef(str(children[0]), pos)
    if kind == "call":
        args = tuple(_build(child, text) for child in children[1:] if child is not None)
        return Call(str(children[0]).upper(), args, pos)
    if kind == "negate":
        return Negate(_build(children[1], text), pos)
    if kind in ("comparison", "concat", "additive", "product"):
        first = _build(children[0], text)
        rest = tuple((str(children[i]), _build(children[i + 1], text), _pos(children[i]))
                     for i in range(1, len(children), 2))
        return Chain(first, rest, pos)
    raise FormulaDefinitionError("The formula could not be parsed.", pos, code="formula_syntax", text=text)


def _unquote(raw: str) -> str:
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
