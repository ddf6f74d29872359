"""The built-in templates: JSON files beside this module (shipped in the shared layer), read and checked once."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared.errors import NotFoundError
from shared.templates.model import TemplateFile, parse_template

BUILTIN_DIR = Path(__file__).parent / "builtin"


@lru_cache(maxsize=1)
def builtin_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in BUILTIN_DIR.glob("*.json")))


@lru_cache(maxsize=16)
def builtin_template(name: str) -> TemplateFile:
    """A built-in by name; 404 for a name that is not one (never a path: names come from the folder listing)."""
    if name not in builtin_names():
        raise NotFoundError("The requested template wasn't found.")
    return parse_template(json.loads((BUILTIN_DIR / f"{name}.json").read_text(encoding="utf-8")))


def builtin_summaries() -> list[dict[str, Any]]:
    """What `GET /api/templates` lists: each built-in's name, title, description and what it creates."""
    summaries = []
    for name in builtin_names():
        template = builtin_template(name)
        summaries.append({"name": name, "title": template.title, "description": template.description,
                          "version": template.version, "collections": template.collection_names(),
                          "views": [{"name": v.name, "type": v.type, "collection": v.collection}
                                    for v in template.views],
                          "sampleRecords": template.sample_count()})
    return summaries
