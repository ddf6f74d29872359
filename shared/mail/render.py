"""PocketBase's email template placeholders and a plain-text alternative of the HTML body."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_BLANKS = re.compile(r"\n\s*\n+")


def resolve(subject: str, body: str, placeholders: Mapping[str, object]) -> tuple[str, str]:
    """Fill `{APP_NAME}`, `{TOKEN}`, `{RECORD:email}`... as PocketBase does: escaped in the HTML body, raw in
    the subject (a header, never rendered as HTML)."""
    for key, value in placeholders.items():
        text = "" if value is None else str(value)
        subject = subject.replace(key, text)
        body = body.replace(key, html.escape(text))
    return subject, body


def html_to_text(body: str) -> str:
    """A readable text part: links become `label: url`, tags are dropped, entities decoded."""
    text = _LINK.sub(lambda m: f"{_TAG.sub('', m.group(2)).strip()}: {m.group(1)}", body)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</p>", "\n\n", text, flags=re.IGNORECASE)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def links(body: str) -> list[str]:
    """Every href of the HTML body, decoded."""
    return [html.unescape(m.group(1)) for m in _LINK.finditer(body)]
