"""A stream batch's maintenance of lookup, rollup and count fields: accumulators first, then the parents' values.

Called by the changes function after the counters, for the whole batch: both steps are idempotent (the
accumulators apply each stream record once, a refresh writes what the parent should hold now), so when one
raises the retried batch converges to the same values.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from shared.catalog.repository import CollectionRepository
from shared.changes.accumulators import AccumulatorStore, apply_accumulators
from shared.changes.linked_fields import plan_linked
from shared.changes.linked_refresh import LinkedRefresher, Recompute
from shared.changes.model import RecordChange
from shared.records.linked_values import LinkedSpec, linked_specs
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository


class LinkedReport(BaseModel):
    """What a batch did to linked fields, for logs, metrics and the bench."""

    contributions: int = 0
    skipped: int = 0
    accumulators: int = 0
    parents: int = 0
    written: int = 0
    items_read: int = 0


def maintain_linked_fields(changes: Iterable[RecordChange], collections: CollectionRepository,
                           records: RecordRepository, accumulators: AccumulatorStore,
                           recompute: Recompute | None = None) -> LinkedReport:
    """Apply a batch to every linked field it affects; raises (so the batch is retried) when storage fails."""
    batch = list(changes)
    if not batch:
        return LinkedReport()
    specs = linked_specs(s.collection for s in collections.all())
    if not specs:
        return LinkedReport()
    meter = ReadMeter()

    def referencing(spec: LinkedSpec, record_id: str) -> list[str]:
        # the parents whose forward relation holds the record: its reverse references, never a scan
        return list(records.referencing(spec.link.source.id, record_id, spec.parent.id, spec.link.relation.id,
                                        meter))

    work = plan_linked(batch, specs, referencing)
    applied = apply_accumulators(work.contributions, accumulators)
    refresher = (LinkedRefresher(collections, records, accumulators, specs, recompute) if recompute
                 else LinkedRefresher(collections, records, accumulators, specs))
    written = sum(refresher.refresh(cid, rid, fids) for (cid, rid), fids in sorted(work.refresh.items()))
    return LinkedReport(contributions=applied.applied, skipped=applied.skipped, accumulators=applied.accumulators,
                        parents=len(work.refresh), written=written,
                        items_read=meter.items_read + refresher.meter.items_read + refresher.accumulator_reads)
