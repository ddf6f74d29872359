"""The change stream's view step: record changes of a batch in, the touched view rows recomputed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.catalog.repository import CollectionRepository
from shared.changes.accumulators import AccumulatorStore
from shared.records.repository import RecordRepository

if TYPE_CHECKING:
    from shared.views.maintenance import ViewsReport


def _data(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    data = image.get("d")
    return dict(data) if isinstance(data, dict) else {}


def maintain_views(changes: Iterable[Any], collections: CollectionRepository, records: RecordRepository,
                   accumulators: AccumulatorStore | None = None) -> ViewsReport:
    """Recompute the view rows these RecordChanges touch (shared/changes/model.py); nothing without views."""
    # imported here: without views (most batches) the stream function never loads sqlglot
    from shared.views.maintenance import SourceChange, ViewsReport, apply_view_changes, view_definitions

    stored = collections.all()
    if not any(s.collection.is_view for s in stored):
        return ViewsReport()
    if any(s.layout.view_build is not None and not s.layout.view_build.done for s in stored):
        # a build's cursor decides which changes a view grouped by columns counts: never an older one
        stored = collections.all(fresh=True)
    layouts = {s.collection.id: s.layout for s in stored}

    def find(id_or_name: str) -> Any:
        found = collections.find(id_or_name)
        return found.collection if found is not None else None

    definitions = view_definitions((s.collection for s in stored), find)
    source_changes = [SourceChange(c.collection_id, c.record_id, _data(c.old_image), _data(c.new_image),
                                   c.write_shard, c.sequence) for c in changes]
    return apply_view_changes(source_changes, definitions, records, accumulators, layouts)
