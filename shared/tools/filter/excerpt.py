"""Plain-text excerpts of HTML for the `fields=...:excerpt(max, withEllipsis)` modifier (PocketBase's picker)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Content of these elements never shows up in an excerpt.
EXCLUDED_TAGS = frozenset({
    "head", "style", "script", "iframe", "embed", "applet", "object", "svg", "img", "picture",
    "dialog", "template", "button", "form", "textarea", "input", "select", "option",
})
# Everything else is a block: it separates the text around it with a space.
INLINE_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "em", "i", "label",
    "q", "small", "span", "strong", "strike", "sub", "sup", "time",
})
# Elements without an end tag; they must not open an excluded region.
VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
})

# Go's \s: ASCII whitespace only.
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")


def make_excerpt(html: str, max_length: int, with_ellipsis: bool) -> str:
    """Strip tags, collapse whitespace and cut to `max_length` characters, adding "..." if asked and cut.

    PocketBase counts bytes; we count characters so that a cut never splits a multi-byte character.
    """
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser has raised on odd markup in some Python versions; fall back to a regex
        collector.parts = [re.sub(r"<[^>]*>", " ", _WHITESPACE.sub(" ", html))]
    text = "".join(collector.parts).strip()
    if len(text) > max_length:
        text = text[:max_length].strip()
        if with_ellipsis:
            text += "..."
    return text


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._previous_space = False
        self._excluded_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EXCLUDED_TAGS:
            if tag not in VOID_TAGS:
                self._excluded_depth += 1
        elif not self._excluded_depth and tag not in INLINE_TAGS:
            self._space()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in EXCLUDED_TAGS and not self._excluded_depth and tag not in INLINE_TAGS:
            self._space()

    def handle_endtag(self, tag: str) -> None:
        if tag in EXCLUDED_TAGS:
            if tag not in VOID_TAGS and self._excluded_depth:
                self._excluded_depth -= 1
        elif not self._excluded_depth and tag not in INLINE_TAGS:
            self._space()

    def handle_data(self, data: str) -> None:
        if self._excluded_depth:
            return
        text = _WHITESPACE.sub(" ", data)
        if self._previous_space:
            text = text.lstrip(" ")
        if text:
            self._previous_space = text.endswith(" ")
            self.parts.append(text)

    def _space(self) -> None:
        if not self._previous_space:
            self.parts.append(" ")
            self._previous_space = True
