"""Finding a form by its public slug: a `_views` record of type form, read with system rights."""

from __future__ import annotations

from typing import Any

import msgspec

from shared.collections.system import VIEWS_COLLECTION_NAME
from shared.errors import NotFoundError
from shared.records.scope import RecordScope
from shared.saved_views.lookup import find_view_by_slug

VIEWS_COLLECTION = VIEWS_COLLECTION_NAME
FORM_TYPE = "form"


class FormView(msgspec.Struct, frozen=True):
    """The `_views` record behind a form: its id, slug, name, target collection and raw options."""

    id: str
    slug: str
    name: str
    collection: str  # the target collection's id (or name)
    options: dict[str, Any]


def find_form(scope: RecordScope, slug: str) -> FormView:
    """The form view with this slug, or 404 (no such slug, or a view of another type)."""
    # read as the system: a public form is found whatever the view's own viewRule says (its slug publishes it)
    found = find_view_by_slug(scope.collections, scope.records, slug)
    if found is None:
        raise NotFoundError()
    record, values = found
    if values.get("type") != FORM_TYPE:
        raise NotFoundError()  # a kanban with a slug is no form
    options = values.get("options")
    return FormView(id=record.id, slug=slug, name=str(values.get("name") or ""),
                    collection=str(values.get("collection") or ""),
                    options=options if isinstance(options, dict) else {})
