"""SQLite's `LIKE ... ESCAPE '\\'` (ASCII case-insensitive) and PocketBase's wrapping of `~` operands.

Matching splits the pattern on `%` and finds each fixed-width piece left to right, so it runs in about
linear time whatever the pattern (a backtracking regex could be made to run for hours).
"""

from __future__ import annotations

import re
from functools import lru_cache

ESCAPE = "\\"

# SQLite's LIKE and lower() fold only ASCII letters, so do we.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def wrap_literal_pattern(text: str) -> str:
    """PocketBase's rule for a quoted (or request) right operand of `~`.

    Without an unescaped `%`, the text is a plain substring: `%` and `_` are escaped and it is wrapped as
    `%text%`. With one, the text is used as the pattern, `_` and `%` being wildcards.
    """
    if _contains_unescaped(text, "%"):
        return text
    return "%" + _escape_unescaped(text) + "%"


def wrap_field_pattern(text: str) -> str:
    """PocketBase's rule for a field right operand of `~`: `'%' || field || '%'`, nothing escaped."""
    return "%" + text + "%"


def like_match(value: str, pattern: str) -> bool:
    """Whether `value LIKE pattern ESCAPE '\\'` holds."""
    compiled = _compile(pattern)
    if compiled is None:
        return False
    value = ascii_lower(value)
    pieces, widths = compiled
    if len(pieces) == 1:
        return widths[0] == len(value) and pieces[0].fullmatch(value) is not None
    first, last = pieces[0], pieces[-1]
    end = len(value) - widths[-1]
    if widths[0] > end:
        return False
    if first.match(value, 0, widths[0]) is None or last.match(value, end) is None:
        return False
    position = widths[0]
    for piece, width in zip(pieces[1:-1], widths[1:-1], strict=True):
        if width == 0:
            continue
        # The leftmost fit is always best: it leaves the most room for the pieces after it.
        found = piece.search(value, position, end)
        if found is None:
            return False
        position = found.start() + width
    return True


@lru_cache(maxsize=256)
def _compile(pattern: str) -> tuple[list[re.Pattern[str]], list[int]] | None:
    """Split on unescaped `%` into fixed-width regexes (`_` -> `.`); None if the pattern ends in `\\`."""
    pieces: list[list[str]] = [[]]
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == ESCAPE:
            if index + 1 >= len(pattern):
                return None  # SQLite: a dangling escape matches nothing
            pieces[-1].append(re.escape(ascii_lower(pattern[index + 1])))
            index += 2
            continue
        if char == "%":
            pieces.append([])
        elif char == "_":
            pieces[-1].append(".")
        else:
            pieces[-1].append(re.escape(ascii_lower(char)))
        index += 1
    return [re.compile("".join(piece), re.DOTALL) for piece in pieces], [len(piece) for piece in pieces]


def _contains_unescaped(text: str, char: str) -> bool:
    previous = ""
    for current in text:
        if current == char and previous != ESCAPE:
            return True
        # `\\` is an escaped backslash, so it does not escape what follows it.
        previous = "" if current == ESCAPE and previous == ESCAPE else current
    return False


def _escape_unescaped(text: str) -> str:
    """Escape `\\`, `%` and `_` unless a backslash already escapes them (PocketBase's right-to-left scan).

    PocketBase leaves the first of two adjacent special characters (`__`) unescaped; we escape both.
    """
    special = {ESCAPE, "%", "_"}
    reversed_out: list[str] = []
    pending = False  # the character just emitted (to the right) still needs an escape
    for char in reversed(text):
        if pending:
            pending = False
            if char == ESCAPE:
                reversed_out.append(char)  # it is the escape of the character on its right
                continue
            reversed_out.append(ESCAPE)
        reversed_out.append(char)
        pending = char in special
    if pending:
        reversed_out.append(ESCAPE)
    return "".join(reversed(reversed_out))
