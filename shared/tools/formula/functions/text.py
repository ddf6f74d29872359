"""Text functions: CONCATENATE, LEFT, RIGHT, MID, LEN, LOWER, UPPER, TRIM, SUBSTITUTE, REPLACE, FIND, SEARCH,
REPT, T, VALUE and the REGEX_ ones. Positions are 1-based, as in Airtable."""

from __future__ import annotations

import functools
import re
from typing import Any

from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions.registry import Context, function
from shared.tools.formula.limits import MAX_REGEX_LENGTH, MAX_TEXT_LENGTH, REGEX_TIMEOUT_S
from shared.tools.formula.types import BOOL, NUMBER, TEXT
from shared.tools.formula.values import flatten, to_number, to_text


def bounded(text: str) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise FormulaEvaluationError(f"The text result is longer than {MAX_TEXT_LENGTH} characters.")
    return text


def count_arg(value: Any, name: str) -> int:
    number = to_number(value)
    if number < 0:
        raise FormulaEvaluationError(f"{name} cannot be negative.")
    return int(number)


@function("CONCATENATE", 1, None, ("text",), TEXT)
def concatenate(ctx: Context, *values: Any) -> str:
    ctx.step(len(values))
    return bounded("".join(to_text(v) for v in values))


@function("LEFT", 2, 2, ("text", "number"), TEXT)
def left(ctx: Context, text: Any, count: Any) -> str:
    return to_text(text)[:count_arg(count, "The count")]


@function("RIGHT", 2, 2, ("text", "number"), TEXT)
def right(ctx: Context, text: Any, count: Any) -> str:
    n = count_arg(count, "The count")
    return to_text(text)[-n:] if n else ""


@function("MID", 3, 3, ("text", "number", "number"), TEXT)
def mid(ctx: Context, text: Any, start: Any, count: Any) -> str:
    """MID("quick brown fox", 7, 5) is "brown": start is 1-based, as FIND's results are."""
    begin = max(int(to_number(start)), 1) - 1
    return to_text(text)[begin:begin + count_arg(count, "The count")]


@function("LEN", 1, 1, ("text",), NUMBER)
def len_(ctx: Context, text: Any) -> int:
    return len(to_text(text))


@function("LOWER", 1, 1, ("text",), TEXT)
def lower(ctx: Context, text: Any) -> str:
    return to_text(text).lower()


@function("UPPER", 1, 1, ("text",), TEXT)
def upper(ctx: Context, text: Any) -> str:
    return to_text(text).upper()


@function("TRIM", 1, 1, ("text",), TEXT)
def trim(ctx: Context, text: Any) -> str:
    """Whitespace at the start and the end only (Airtable's TRIM keeps inner runs)."""
    return to_text(text).strip()


@function("SUBSTITUTE", 3, 4, ("text", "text", "text", "number"), TEXT)
def substitute(ctx: Context, text: Any, old: Any, new: Any, index: Any = None) -> str:
    """Every occurrence of old, or only the index-th (1-based) when index is given."""
    subject, needle, replacement = to_text(text), to_text(old), to_text(new)
    if not needle:
        return subject
    if index is None:
        ctx.step(subject.count(needle))
        return bounded(subject.replace(needle, replacement))
    nth = int(to_number(index))
    position = -1
    for _ in range(max(nth, 0)):
        ctx.step()
        position = subject.find(needle, position + 1)
        if position < 0:
            return subject
    if nth < 1:
        return subject
    return subject[:position] + replacement + subject[position + len(needle):]


@function("REPLACE", 4, 4, ("text", "number", "number", "text"), TEXT)
def replace(ctx: Context, text: Any, start: Any, count: Any, replacement: Any) -> str:
    """REPLACE("database", 5, 4, "bank") is "databank"."""
    subject = to_text(text)
    begin = max(int(to_number(start)), 1) - 1
    return bounded(subject[:begin] + to_text(replacement) + subject[begin + count_arg(count, "The count"):])


def _find(needle: Any, haystack: Any, start: Any) -> int:
    """The 1-based position of needle in haystack from start (1-based; 0 or blank is the beginning), or 0."""
    begin = max(int(to_number(start)), 1) - 1 if start is not None else 0
    return to_text(haystack).find(to_text(needle), begin) + 1


@function("FIND", 2, 3, ("text", "text", "number"), NUMBER)
def find(ctx: Context, needle: Any, haystack: Any, start: Any = None) -> int:
    """Case-sensitive; 0 when not found (Airtable)."""
    return _find(needle, haystack, start)


@function("SEARCH", 2, 3, ("text", "text", "number"), NUMBER)
def search(ctx: Context, needle: Any, haystack: Any, start: Any = None) -> int | None:
    """As FIND, but blank when not found (Airtable)."""
    return _find(needle, haystack, start) or None


@function("REPT", 2, 2, ("text", "number"), TEXT)
def rept(ctx: Context, text: Any, count: Any) -> str:
    subject, times = to_text(text), count_arg(count, "The count")
    if len(subject) * times > MAX_TEXT_LENGTH:
        raise FormulaEvaluationError(f"The text result is longer than {MAX_TEXT_LENGTH} characters.")
    ctx.step(times)
    return subject * times


@function("T", 1, 1, ("any",), TEXT)
def t(ctx: Context, value: Any) -> str:
    """The value when it is text, else blank text."""
    return value if isinstance(value, str) else ""


_NOT_NUMERIC = re.compile(r"[^0-9.eE+-]")


@function("VALUE", 1, 1, ("text",), NUMBER)
def value(ctx: Context, text: Any) -> int | float:
    """VALUE("$1,000") is 1000: currency signs, separators and spaces are dropped."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    if text is None or text == "":
        return 0
    cleaned = _NOT_NUMERIC.sub("", to_text(text))
    if not any(ch.isdigit() for ch in cleaned):
        raise FormulaEvaluationError(f"{to_text(text)!r} is not a number.")
    return to_number(cleaned)


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    # the `regex` engine, for its match timeout: a pattern that backtracks badly on a client's text must not
    # hold up the write (Airtable uses RE2, which cannot backtrack); imported on first use (about 70 ms)
    import regex

    if len(pattern) > MAX_REGEX_LENGTH:
        raise FormulaEvaluationError(f"The regular expression is longer than {MAX_REGEX_LENGTH} characters.")
    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, ValueError, OverflowError) as exc:
        raise FormulaEvaluationError(f"Invalid regular expression: {exc}.") from exc


def _timed(run: Any, *args: Any) -> Any:
    try:
        return run(*args, timeout=REGEX_TIMEOUT_S)
    except TimeoutError as exc:
        raise FormulaEvaluationError(f"The regular expression took longer than {REGEX_TIMEOUT_S} s.") from exc


@function("REGEX_MATCH", 2, 2, ("text", "text"), BOOL)
def regex_match(ctx: Context, text: Any, pattern: Any) -> bool:
    return _timed(_regex(to_text(pattern)).search, to_text(text)) is not None


@function("REGEX_EXTRACT", 2, 2, ("text", "text"), TEXT)
def regex_extract(ctx: Context, text: Any, pattern: Any) -> str:
    """The first match; no match is an error, as in Airtable."""
    found = _timed(_regex(to_text(pattern)).search, to_text(text))
    if found is None:
        raise FormulaEvaluationError("REGEX_EXTRACT found no match.")
    return str(found.group(0))


_DOLLAR_GROUP = re.compile(r"\$(\d+)")


@function("REGEX_REPLACE", 3, 3, ("text", "text", "text"), TEXT)
def regex_replace(ctx: Context, text: Any, pattern: Any, replacement: Any) -> str:
    """Every match replaced; `$1` in the replacement is the first group (RE2's syntax)."""
    import regex

    template = _DOLLAR_GROUP.sub(r"\\g<\1>", to_text(replacement).replace("\\", "\\\\"))
    try:
        return bounded(str(_timed(_regex(to_text(pattern)).sub, template, to_text(text))))
    except (regex.error, IndexError) as exc:
        raise FormulaEvaluationError(f"Invalid replacement: {exc}.") from exc


@function("ARRAYJOIN", 1, 2, ("list", "text"), TEXT)
def arrayjoin(ctx: Context, values: Any, separator: Any = ", ") -> str:
    items = flatten([values])
    ctx.step(len(items))
    return bounded(to_text(separator).join(to_text(v) for v in items if v is not None))
