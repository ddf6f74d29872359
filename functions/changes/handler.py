"""Lambda entry point consuming the records table's stream: exact counters, maintained aggregates, linked fields,
the audit log, then record events."""

from __future__ import annotations

import time
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from shared import aws, settings
    from shared.aggregates.groups import get_group_store
    from shared.aggregates.maintain import maintain_aggregates
    from shared.aggregates.versions import bump_versions, get_version_store
    from shared.audit.dynamo_repository import AuditTable, audit_repository
    from shared.audit.entries import audit_entries
    from shared.changes.accumulators import get_accumulator_store
    from shared.changes.counters import apply_counters, get_counter_store
    from shared.changes.linked_batch import maintain_linked_fields
    from shared.changes.model import decode_stream_event
    from shared.changes.publisher import publish_changes
    from shared.changes.record_views import CatalogRecordViews
    from shared.events.bus import EventBridgePublisher
    from shared.events.s3_payloads import EventPayloadsBucket, S3PayloadStore
    from shared.observability import MetricUnit, instrument, logger, metrics
    from shared.views.stream import maintain_views

    # The SDK models of the services its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb", "events")


class ChangesFunctionSettings(settings.ChangesSettings, AuditTable, EventPayloadsBucket):
    pass


def _handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    cfg = settings.load(ChangesFunctionSettings)
    # Decoded once: counters, the audit log and the publisher read the same record changes.
    changes = decode_stream_event(event)
    # Counters go first, for the whole batch: they are idempotent, so when they raise the invocation fails
    # and the retried batch (or the suffix a partial failure resumes from) re-applies only what is missing.
    report = apply_counters(changes, get_counter_store(cfg.records_table))
    if report.applied:
        metrics.add_metric(name="CounterContributionsApplied", unit=MetricUnit.Count, value=report.applied)
    if report.conflicts:
        metrics.add_metric(name="CounterConflicts", unit=MetricUnit.Count, value=report.conflicts)
    logger.debug("counters applied", extra=report.model_dump())
    if not changes:
        return {"batchItemFailures": []}
    views = CatalogRecordViews.for_tables(cfg.system_table, cfg.records_table)
    # Maintained aggregates next, idempotent as the counters are, and before the versions move: an answer
    # cached under the new version must be read from groups that hold this batch.
    maintained = maintain_aggregates(changes, views.collections, get_group_store(cfg.records_table))
    if maintained.applied or maintained.records_counted:
        metrics.add_metric(name="AggregateContributionsApplied", unit=MetricUnit.Count,
                           value=maintained.applied + maintained.records_counted)
    # Aggregate answers cached under a collection's data version are stale once its records change
    bump_versions(changes, get_version_store(cfg.records_table))

    # View collections next (shared/views/): each touched row is recomputed from storage (or, grouped by columns,
    # from sums applied exactly once), so a retried batch rewrites the same rows; raising fails the batch before
    # any event is published for it.
    view_report = maintain_views(changes, views.collections, views.records, get_accumulator_store(cfg.records_table))
    if view_report.rows_recomputed:
        metrics.add_metric(name="ViewRowsRecomputed", unit=MetricUnit.Count, value=view_report.rows_recomputed)
    if view_report.rows_failed:
        metrics.add_metric(name="ViewRowsFailed", unit=MetricUnit.Count, value=view_report.rows_failed)
    # Lookups, rollups and counts next, also whole batch and idempotent: their derived writes are stream records
    # of their own, which the next batch publishes as updates of the parents (docs/computed-fields.md).
    linked = maintain_linked_fields(changes, views.collections, views.records,
                                    get_accumulator_store(cfg.records_table))
    if linked.written:
        metrics.add_metric(name="LinkedFieldWrites", unit=MetricUnit.Count, value=linked.written)
    logger.debug("linked fields maintained", extra=linked.model_dump())
    # The audit log next, whole batch or nothing: entry ids derive from the stream records, so a retried batch
    # rewrites the same entries. Here rather than in a stream function of its own: a DynamoDB stream serves
    # at most two readers per shard at full speed, and the batch is already read and decoded.
    now_ms = int(time.time() * 1000)
    entries = audit_entries(changes, views.collection, now_ms)
    if entries:
        retention_s = views.audit_retention_days() * 86_400
        audit_repository().append(entries, expires_at=now_ms // 1000 + retention_s)
        metrics.add_metric(name="AuditEntries", unit=MetricUnit.Count, value=len(entries))

    # Events go out in byte-sized PutEvents calls (at most 10 entries and 256 KB each), bodies over the inline
    # cap by reference to the payload bucket; entries EventBridge rejects are reported as batch item failures,
    # and Lambda resumes from the earliest of them. Consumers may see an event twice, never miss one.
    publisher = EventBridgePublisher(cfg.events_bus, S3PayloadStore(cfg.payloads_bucket))
    published, rejected = publish_changes(changes, views.collection, views.present, publisher)
    metrics.add_metric(name="RecordEvents", unit=MetricUnit.Count, value=published)
    metrics.add_metric(name="PutEventsCalls", unit=MetricUnit.Count, value=publisher.calls)
    if rejected:
        logger.warning("record events rejected by EventBridge", extra={"count": len(rejected)})
    return {"batchItemFailures": [{"itemIdentifier": c.sequence_number} for c in rejected]}


handler = instrument(_handle)
