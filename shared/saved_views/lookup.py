"""Finding a saved view by its slug, for what serves views by a public address (public forms)."""

from __future__ import annotations

import re
from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.collections.system import VIEW_SLUG_PATTERN, VIEWS_COLLECTION_NAME
from shared.records.context import RequestContext
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader
from shared.records.repository import RecordRepository
from shared.records.scope import RecordScope
from shared.saved_views.record_hooks import view_values

_SLUG = re.compile(VIEW_SLUG_PATTERN)


def find_view_by_slug(collections: CollectionRepository, records: RecordRepository,
                      slug: str) -> tuple[StoredRecord, dict[str, Any]] | None:
    """The view with this slug and its values by field name, read as the system (the caller's rules are the
    caller's business: a form's slug is its permission); None when no view has it. One indexed read."""
    if not _SLUG.fullmatch(slug or ""):
        return None  # checked before it goes into a filter: a slug never holds a quote
    scope = RecordScope(collections, records, RequestContext(method="GET", system=True))
    page = scope.reader.list_page(VIEWS_COLLECTION_NAME, {"filter": f"slug = '{slug}'", "perPage": "1",
                                                          "skipTotal": "1", "fields": "id"})
    if not page["items"]:
        return None
    views = collections.get(VIEWS_COLLECTION_NAME).collection
    record = RecordLoader(collections, records, scope.meter).one(views, str(page["items"][0]["id"]))
    return (record, view_values(views, record)) if record is not None else None
