"""Random strings from a small regular expression, for text fields' autogeneratePattern.

Covers what autogenerate patterns use in practice: literals, escapes (\\d \\w \\s and escaped
punctuation), character classes with ranges, groups with alternation and the quantifiers
{n}, {n,m}, ?, * and +. Anything else raises AutogeneratePatternError.
"""

from __future__ import annotations

import secrets
import string

# Open-ended quantifiers (*, +, {n,}) need an upper bound to generate from
_OPEN_REPEAT_LIMIT = 10

_ESCAPE_CLASSES = {
    "d": string.digits,
    "w": string.ascii_letters + string.digits + "_",
    "s": " \t\n\r\f\v",
}

# A node is ("chars", alphabet) | ("seq", [nodes]) | ("alt", [nodes]) | ("repeat", node, min, max)
Node = tuple


class AutogeneratePatternError(ValueError):
    """The pattern uses regex syntax the generator does not support."""


def random_string_by_pattern(pattern: str) -> str:
    """Generate a random string matching pattern (see the module docstring for the supported syntax)."""
    parser = _PatternParser(pattern.removeprefix("^").removesuffix("$"))
    node = parser.parse_alternation()
    if parser.position != len(parser.text):
        raise AutogeneratePatternError(f"unexpected {parser.text[parser.position]!r} in pattern")
    return _generate(node)


def _generate(node: Node) -> str:
    kind = node[0]
    if kind == "chars":
        return secrets.choice(node[1]) if node[1] else ""
    if kind == "seq":
        return "".join(_generate(child) for child in node[1])
    if kind == "alt":
        return _generate(secrets.choice(node[1]))
    low, high = node[2], node[3]
    count = low + secrets.randbelow(high - low + 1)
    return "".join(_generate(node[1]) for _ in range(count))


class _PatternParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def _peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def _take(self) -> str:
        char = self._peek()
        if not char:
            raise AutogeneratePatternError("unexpected end of pattern")
        self.position += 1
        return char

    def parse_alternation(self) -> Node:
        branches = [self._parse_sequence()]
        while self._peek() == "|":
            self.position += 1
            branches.append(self._parse_sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def _parse_sequence(self) -> Node:
        items: list[Node] = []
        while self._peek() and self._peek() not in "|)":
            items.append(self._parse_quantified(self._parse_atom()))
        return ("seq", items)

    def _parse_atom(self) -> Node:
        char = self._take()
        if char == "(":
            if self.text.startswith("?:", self.position):
                self.position += 2
            node = self.parse_alternation()
            if self._take() != ")":
                raise AutogeneratePatternError("missing )")
            return node
        if char == "[":
            return ("chars", self._parse_class())
        if char == "\\":
            return ("chars", self._parse_escape())
        if char == ".":
            return ("chars", string.ascii_letters + string.digits)
        if char in "*+?{":
            raise AutogeneratePatternError(f"nothing to repeat at {char!r}")
        return ("chars", char)

    def _parse_escape(self) -> str:
        char = self._take()
        if char in _ESCAPE_CLASSES:
            return _ESCAPE_CLASSES[char]
        if char.isalnum():
            raise AutogeneratePatternError(f"unsupported escape \\{char}")
        return char

    def _parse_class(self) -> str:
        if self._peek() == "^":
            raise AutogeneratePatternError("negated classes are not supported")
        chars: list[str] = []
        first = True
        while first or self._peek() != "]":
            first = False
            char = self._take()
            if char == "\\":
                chars.extend(self._parse_escape())
                continue
            if self._peek() == "-" and self.text[self.position + 1:self.position + 2] not in ("]", ""):
                self.position += 1
                end = self._take()
                if ord(end) < ord(char):
                    raise AutogeneratePatternError(f"invalid range {char}-{end}")
                chars.extend(chr(code) for code in range(ord(char), ord(end) + 1))
                continue
            chars.append(char)
        self.position += 1
        return "".join(dict.fromkeys(chars))

    def _parse_quantified(self, node: Node) -> Node:
        char = self._peek()
        if char == "?":
            self.position += 1
            return ("repeat", node, 0, 1)
        if char == "*":
            self.position += 1
            return ("repeat", node, 0, _OPEN_REPEAT_LIMIT)
        if char == "+":
            self.position += 1
            return ("repeat", node, 1, _OPEN_REPEAT_LIMIT)
        if char == "{":
            end = self.text.find("}", self.position)
            if end < 0:
                raise AutogeneratePatternError("missing }")
            low_text, _, high_text = self.text[self.position + 1:end].partition(",")
            try:
                low = int(low_text)
                high = low if "," not in self.text[self.position:end] else (
                    int(high_text) if high_text else low + _OPEN_REPEAT_LIMIT)
            except ValueError as exc:
                raise AutogeneratePatternError("invalid repetition") from exc
            if high < low:
                raise AutogeneratePatternError("invalid repetition range")
            self.position = end + 1
            return ("repeat", node, low, high)
        return node
