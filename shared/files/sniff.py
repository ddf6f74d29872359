"""A file's mime type from its content, as PocketBase's detector (gabriel-vasile/mimetype) names common types.

Binary formats come from `filetype`'s magic numbers; text, which it does not detect, is told apart here the way
mimetype does for the usual cases (JSON, HTML, SVG, XML, plain UTF-8 text); anything else is octet-stream.
"""

from __future__ import annotations

import json
from typing import Any

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain; charset=utf-8"
# mimetype reads at most this much of a file to decide
SNIFF_BYTES = 3072
# mimetype's names where they differ from filetype's
_RENAMED = {"audio/x-wav": "audio/wav", "audio/x-flac": "audio/flac"}
_EXTENSIONS = {"text/plain": ".txt", "application/json": ".json", "text/html": ".html", "image/svg+xml": ".svg",
               "text/xml": ".xml", "image/jpeg": ".jpg", "text/csv": ".csv"}


def _filetype() -> Any:
    import filetype  # ~11 ms: paid by the first upload, not by every cold start that loads the field types

    return filetype


def detect_mime(content: bytes) -> str:
    head = content[:SNIFF_BYTES]
    kind = _filetype().guess(head) if head else None
    if kind is not None:
        return _RENAMED.get(kind.mime, kind.mime)
    return _text_mime(content, head)


def _text_mime(content: bytes, head: bytes) -> str:
    if not head or b"\x00" in head:
        return OCTET_STREAM
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character cut at the sniff limit is still text
        try:
            text = head[:-3].decode("utf-8") if len(head) == SNIFF_BYTES else ""
        except UnicodeDecodeError:
            return OCTET_STREAM
        if not text:
            return OCTET_STREAM
    stripped = text.lstrip().lower()
    if stripped.startswith(("{", "[")) and _is_json(content):
        return "application/json"
    if stripped.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "text/html; charset=utf-8"
    if stripped.startswith("<svg") or (stripped.startswith("<?xml") and "<svg" in stripped):
        return "image/svg+xml"
    if stripped.startswith("<?xml"):
        return "text/xml; charset=utf-8"
    if _is_csv(text):
        return "text/csv"
    return TEXT_PLAIN


def _is_csv(text: str) -> bool:
    """mimetype's rule, simplified: at least two complete lines with the same number (>0) of commas."""
    lines = [line for line in text.splitlines()[:10] if line]
    if len(lines) < 2:
        return False
    counts = {line.count(",") for line in (lines if text.endswith("\n") else lines[:-1] or lines)}
    return len(counts) == 1 and counts != {0}


def _is_json(content: bytes) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def base_mime(mime: str) -> str:
    return mime.split(";", 1)[0].strip().lower()


def mime_allowed(mime: str, allowed: list[str]) -> bool:
    """mimetype's `Is`: the type without parameters, case-insensitive."""
    detected = base_mime(mime)
    return any(base_mime(candidate) == detected for candidate in allowed)


def extension_for(mime: str) -> str:
    base = base_mime(mime)
    if base in _EXTENSIONS:
        return _EXTENSIONS[base]
    for kind in _filetype().TYPES:
        if kind.mime == base:
            return f".{kind.extension}"
    return ""
