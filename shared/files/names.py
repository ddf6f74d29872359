"""Stored file names as PocketBase makes them: the sanitized original name, `_`, 10 random chars, the extension.

A port of PocketBase's `filesystem.normalizeName` (tools/filesystem/file.go) and `inflector.Snakecase`.
"""

from __future__ import annotations

import re
import secrets

from shared.files.sniff import detect_mime, extension_for

RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_EXT_INVALID_CHARS = re.compile(r"[^\w.*\-+=#]+", re.ASCII)
# Go's \W is ASCII-only: letters outside ASCII split words too ("über" -> "ber")
_SNAKE_SPLIT = re.compile(r"[\W_]+", re.ASCII)
_MAX_INPUT = 300
_MAX_EXT = 20
_MIN_NAME = 3
_MAX_NAME = 100


def random_part(length: int = 10) -> str:
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(length))


def extract_extension(name: str) -> str:
    """The last extension with the one before it (`.tar.gz`), as PocketBase reads it."""
    primary = name.rfind(".")
    if primary == -1:
        return ""
    secondary = name.rfind(".", 0, primary)
    return name[secondary:] if secondary >= 0 else name[primary:]


def snakecase(text: str) -> str:
    """PocketBase's inflector.Snakecase: split on non-word chars, `_` before an inner capital, lower-cased."""
    out: list[str] = []
    for word in _SNAKE_SPLIT.split(text):
        if not word:
            continue
        if out:
            out.append("_")
        for i, char in enumerate(word):
            if char.isupper() and i > 0 and not word[i - 1].isupper():
                out.append("_")
            out.append(char)
    return "".join(out).lower()


def stored_name(original: str, content: bytes) -> str:
    """The name a new upload is stored under; the extension comes from the content when the name has none."""
    name = original.encode()[-_MAX_INPUT:].decode(errors="ignore") if len(original.encode()) > _MAX_INPUT \
        else original
    original_ext = extract_extension(name)
    clean_ext = "." + _EXT_INVALID_CHARS.sub("", original_ext).strip(".")
    if clean_ext == ".":
        clean_ext = extension_for(detect_mime(content))
    if len(clean_ext) > _MAX_EXT:
        clean_ext = "." + clean_ext[-_MAX_EXT:].strip(".")
    base = name[:-len(original_ext)] if original_ext and name.endswith(original_ext) else name
    clean_name = snakecase(base.strip("."))
    if len(clean_name) < _MIN_NAME:
        clean_name += random_part()
    elif len(clean_name) > _MAX_NAME:
        clean_name = clean_name[:_MAX_NAME]
    return f"{clean_name}_{random_part()}{clean_ext}"
