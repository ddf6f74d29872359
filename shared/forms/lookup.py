"""Finding a form by its public slug: a `_views` record of type form, read with system rights."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.catalog.repository import CollectionNotFoundError
from shared.errors import NotFoundError
from shared.records.context import RequestContext
from shared.records.scope import RecordScope

VIEWS_COLLECTION = "_views"
# Slugs are URL path segments; anything else is no form (and never reaches the filter below).
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class FormView:
    """The `_views` record behind a form: its id, slug, name, target collection and raw options."""

    id: str
    slug: str
    name: str
    collection: str  # the target collection's id (or name)
    options: dict[str, Any]


def find_form(scope: RecordScope, slug: str) -> FormView:
    """The form view with this slug, or 404 (no such slug, or a view of another type)."""
    if not SLUG_PATTERN.match(slug):
        raise NotFoundError()
    # system rights: a public form is found whatever the view's own viewRule says (the slug is its publication)
    system = scope.acting_as(RequestContext(method="GET", system=True))
    try:
        page = system.reader.list_page(VIEWS_COLLECTION, {
            "filter": f"slug = '{slug}' && type = 'form'", "perPage": "1", "skipTotal": "1"})
    except CollectionNotFoundError as exc:
        raise NotFoundError() from exc
    items = page.get("items") or []
    if not items:
        raise NotFoundError()
    item = items[0]
    options = item.get("options")
    return FormView(id=str(item["id"]), slug=slug, name=str(item.get("name") or ""),
                    collection=str(item.get("collection") or ""),
                    options=options if isinstance(options, dict) else {})
