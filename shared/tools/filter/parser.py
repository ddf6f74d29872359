"""`parse_filter`: PocketBase filter text to an AST, with && binding tighter than || and named limits.

Grammar (whitespace and `//` line comments are ignored)::

    filter  := or
    or      := and ( "||" and )*
    and     := primary ( "&&" primary )*
    primary := "(" or ")" | operand SIGN operand
    operand := TEXT | NUMBER | IDENTIFIER | IDENTIFIER "(" [ arg ( "," arg )* ] ")"

An empty filter (only whitespace or comments) is a syntax error, as in PocketBase; callers treat a
missing filter parameter as "no filter" before parsing.
"""

from __future__ import annotations

from shared.tools.filter.ast import And, Call, Compare, Expr, Identifier, Literal, Macro, Operand, Or
from shared.tools.filter.errors import FilterSyntaxError
from shared.tools.filter.identifiers import parse_identifier
from shared.tools.filter.limits import (
    MAX_EXPRESSIONS,
    MAX_FILTER_LENGTH,
    MAX_FUNCTION_ARGS,
    MAX_NESTING_DEPTH,
)
from shared.tools.filter.tokens import Token, TokenKind, scan_tokens

FUNCTION_NAMES = frozenset({"geoDistance", "strftime"})


def parse_filter(text: str) -> Expr:
    """Parse a filter such as `status = "active" && (views > 10 || @request.auth.id != "")`.

    Raises FilterSyntaxError (with a human sentence) for any invalid input and nothing else.
    """
    if not isinstance(text, str):
        raise FilterSyntaxError("The filter must be a string.")
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(
            f"The filter is too long ({len(text)} characters; the maximum is {MAX_FILTER_LENGTH})."
        )
    tokens = scan_tokens(text)
    if tokens[0].kind is TokenKind.EOF:
        raise FilterSyntaxError("The filter is empty.")
    return _Parser(tokens).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0
        self._expressions = 0

    def parse(self) -> Expr:
        expr = self._parse_or()
        token = self._peek()
        if token.kind is not TokenKind.EOF:
            raise _unexpected(token, "&&, || or the end of the filter")
        return expr

    def _peek(self) -> Token:
        return self._tokens[self._index]

    def _advance(self) -> Token:
        token = self._tokens[self._index]
        if token.kind is not TokenKind.EOF:
            self._index += 1
        return token

    def _expect(self, kind: TokenKind, wanted: str) -> Token:
        token = self._advance()
        if token.kind is not kind:
            raise _unexpected(token, wanted)
        return token

    def _parse_or(self) -> Expr:
        items = [self._parse_and()]
        while self._peek().kind is TokenKind.OR:
            self._advance()
            items.append(self._parse_and())
        return _join(Or, items)

    def _parse_and(self) -> Expr:
        items = [self._parse_primary()]
        while self._peek().kind is TokenKind.AND:
            self._advance()
            items.append(self._parse_primary())
        return _join(And, items)

    def _parse_primary(self) -> Expr:
        token = self._peek()
        if token.kind is not TokenKind.LPAREN:
            return self._parse_compare()
        self._advance()
        if self._depth >= MAX_NESTING_DEPTH:
            raise FilterSyntaxError(
                f"The filter nests parentheses too deeply (the maximum depth is {MAX_NESTING_DEPTH})."
            )
        if self._peek().kind is TokenKind.RPAREN:
            raise FilterSyntaxError(f"Empty parentheses at position {token.start + 1}.")
        self._depth += 1
        expr = self._parse_or()
        self._depth -= 1
        self._expect(TokenKind.RPAREN, "&&, || or a closing parenthesis")
        return expr

    def _parse_compare(self) -> Compare:
        left = self._parse_operand("a left operand (field, text, number or function)")
        sign = self._expect(TokenKind.SIGN, "an operator such as =, !=, ~ or ?=").text
        right = self._parse_operand("a right operand (field, text, number or function)")
        self._expressions += 1
        if self._expressions > MAX_EXPRESSIONS:
            raise FilterSyntaxError(
                f"The filter has too many expressions (the maximum is {MAX_EXPRESSIONS})."
            )
        any_of = sign.startswith("?")
        return Compare(left, sign[1:] if any_of else sign, right, any_of)

    def _parse_operand(self, wanted: str) -> Operand:
        token = self._advance()
        if token.kind is TokenKind.TEXT:
            return Literal(token.text)
        if token.kind is TokenKind.NUMBER:
            return _number(token)
        if token.kind is not TokenKind.IDENTIFIER:
            raise _unexpected(token, wanted)
        following = self._peek()
        if following.kind is TokenKind.LPAREN and following.start == token.end:
            return self._parse_call(token)
        return parse_identifier(token.text, token.start + 1)

    def _parse_call(self, name_token: Token) -> Call:
        name = name_token.text
        if name not in FUNCTION_NAMES:
            raise FilterSyntaxError(
                f"Unknown function {name!r} at position {name_token.start + 1}; "
                f"expected one of {', '.join(sorted(FUNCTION_NAMES))}."
            )
        self._advance()  # the opening parenthesis
        args: list[Operand] = []
        if self._peek().kind is TokenKind.RPAREN:
            self._advance()
        else:
            while True:
                args.append(self._parse_argument(name))
                if len(args) > MAX_FUNCTION_ARGS:
                    raise FilterSyntaxError(f"Too many arguments for {name}() (at most {MAX_FUNCTION_ARGS}).")
                separator = self._advance()
                if separator.kind is TokenKind.RPAREN:
                    break
                if separator.kind is not TokenKind.COMMA:
                    raise _unexpected(separator, f"a comma or the closing parenthesis of {name}()")
        _check_call_arguments(name, args, name_token.start + 1)
        return Call(name, tuple(args))

    def _parse_argument(self, function: str) -> Operand:
        token = self._peek()
        following = self._tokens[self._index + 1] if token.kind is not TokenKind.EOF else token
        if (
            token.kind is TokenKind.IDENTIFIER
            and following.kind is TokenKind.LPAREN
            and following.start == token.end
        ):
            raise FilterSyntaxError(
                f"Function calls cannot be nested (at position {token.start + 1} inside {function}())."
            )
        return self._parse_operand(f"an argument of {function}()")


def _check_call_arguments(name: str, args: list[Operand], position: int) -> None:
    if name == "geoDistance":
        if len(args) != 4:
            raise FilterSyntaxError(
                f"geoDistance() at position {position} expects 4 arguments (lonA, latA, lonB, latB), "
                f"got {len(args)}."
            )
        for number, arg in enumerate(args, start=1):
            is_number = isinstance(arg, Literal) and (
                arg.value is None or (isinstance(arg.value, int | float) and not isinstance(arg.value, bool))
            )
            if not (is_number or isinstance(arg, Identifier)):
                raise FilterSyntaxError(
                    f"Argument {number} of geoDistance() at position {position} must be a field or a number."
                )
        return
    # strftime(format, [time-value, modifier...]) as SQLite's.
    if not args or not (isinstance(args[0], Literal) and isinstance(args[0].value, str)):
        raise FilterSyntaxError(f"strftime() at position {position} expects a quoted format as first argument.")
    if len(args) > 1 and not isinstance(args[1], Literal | Identifier | Macro):
        raise FilterSyntaxError(f"The time value of strftime() at position {position} is invalid.")
    for arg in args[2:]:
        if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
            raise FilterSyntaxError(f"The modifiers of strftime() at position {position} must be quoted texts.")


def _number(token: Token) -> Literal:
    try:
        value: int | float = float(token.text) if "." in token.text else int(token.text)
    except ValueError:  # more digits than int() accepts
        value = float("inf")
    if value in (float("inf"), float("-inf")):
        raise FilterSyntaxError(f"The number at position {token.start + 1} is too large.")
    return Literal(value)


def _join(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    if len(items) == 1:
        return items[0]
    flat: list[Expr] = []
    for item in items:
        # `a && (b && c)` means the same as `a && b && c`; one flat node is easier for a planner.
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat))


def _unexpected(token: Token, wanted: str) -> FilterSyntaxError:
    if token.kind is TokenKind.EOF:
        return FilterSyntaxError(f"The filter ended unexpectedly; expected {wanted}.")
    shown = repr(token.text if len(token.text) <= 40 else token.text[:37] + "...")
    if token.kind in _NAMED_KINDS:
        shown = f"{token.kind.value} {shown}"
    return FilterSyntaxError(f"Unexpected {shown} at position {token.start + 1}; expected {wanted}.")


_NAMED_KINDS = frozenset({TokenKind.IDENTIFIER, TokenKind.NUMBER, TokenKind.TEXT, TokenKind.SIGN})
