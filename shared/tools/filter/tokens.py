"""Splits filter text into tokens (fexpr's lexical grammar), reporting 1-based positions in errors."""

from __future__ import annotations

import re
from enum import Enum

import msgspec

from shared.tools.filter.errors import FilterSyntaxError


class TokenKind(Enum):
    IDENTIFIER = "identifier"
    NUMBER = "number"
    TEXT = "text"
    SIGN = "operator"
    AND = "&&"
    OR = "||"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "end of the filter"


class Token(msgspec.Struct, frozen=True):
    kind: TokenKind
    text: str  # raw text, except TEXT tokens which hold the unquoted value
    start: int  # 0-based offset of the first character
    end: int  # 0-based offset just past the last character


SIGNS = frozenset({
    "=", "!=", ">", ">=", "<", "<=", "~", "!~",
    "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~",
})

_WHITESPACE = frozenset(" \t\n\r")
_SIGN_CHARS = frozenset("=!<>~?")
_JOIN_CHARS = frozenset("&|")
_IDENTIFIER_START = re.compile(r"[A-Za-z_@#]")
_IDENTIFIER_RUN = re.compile(r"[A-Za-z0-9_@#.:]*")
_NUMBER_RUN = re.compile(r"-?[0-9.]*")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def scan_tokens(text: str) -> list[Token]:
    """Tokenize `text`; whitespace and `//` line comments are dropped; the last token is EOF."""
    tokens: list[Token] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in _WHITESPACE:
            index += 1
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif char in "(),":
            kind = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, ",": TokenKind.COMMA}[char]
            tokens.append(Token(kind, char, index, index + 1))
            index += 1
        elif char in "'\"":
            token = _scan_text(text, index)
            tokens.append(token)
            index = token.end
        elif char.isascii() and (char.isdigit() or (char == "-" and text[index + 1 : index + 2].isdigit())):
            token = _scan_number(text, index)
            tokens.append(token)
            index = token.end
        elif _IDENTIFIER_START.match(char):
            match = _IDENTIFIER_RUN.match(text, index + 1)
            end = match.end() if match else index + 1
            tokens.append(Token(TokenKind.IDENTIFIER, text[index:end], index, end))
            index = end
        elif char in _SIGN_CHARS:
            end = _run_end(text, index, _SIGN_CHARS)
            sign = text[index:end]
            if sign not in SIGNS:
                raise FilterSyntaxError(f"Invalid operator {sign!r} at position {index + 1}.")
            tokens.append(Token(TokenKind.SIGN, sign, index, end))
            index = end
        elif char in _JOIN_CHARS:
            end = _run_end(text, index, _JOIN_CHARS)
            join = text[index:end]
            if join not in ("&&", "||"):
                raise FilterSyntaxError(f"Invalid join operator {join!r} at position {index + 1}; use && or ||.")
            tokens.append(Token(TokenKind.AND if join == "&&" else TokenKind.OR, join, index, end))
            index = end
        else:
            raise FilterSyntaxError(f"Unexpected character {char!r} at position {index + 1}.")
    tokens.append(Token(TokenKind.EOF, "", length, length))
    return tokens


def _run_end(text: str, index: int, chars: frozenset[str]) -> int:
    while index < len(text) and text[index] in chars:
        index += 1
    return index


def _scan_text(text: str, start: int) -> Token:
    # As fexpr: a quote preceded by a backslash does not close the text, and only `\<quote>` is unescaped.
    quote = text[start]
    index = start + 1
    while True:
        index = text.find(quote, index)
        if index < 0:
            raise FilterSyntaxError(f"The quoted text starting at position {start + 1} is never closed.")
        if text[index - 1] != "\\":
            break
        index += 1
    value = text[start + 1 : index].replace("\\" + quote, quote)
    return Token(TokenKind.TEXT, value, start, index + 1)


def _scan_number(text: str, start: int) -> Token:
    match = _NUMBER_RUN.match(text, start)
    end = match.end() if match else start + 1
    raw = text[start:end]
    if not _NUMBER.fullmatch(raw):
        raise FilterSyntaxError(f"Invalid number {raw!r} at position {start + 1}.")
    return Token(TokenKind.NUMBER, raw, start, end)
