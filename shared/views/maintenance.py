"""Keeps materialized views fresh from record changes: which view rows a change touches, each recomputed once.

A change of a view's source record touches its own row (plain view) or the groups its old and new images
belong to (grouped view). A view grouped by columns (not one relation) takes the change's contributions
instead, exactly once, and rewrites its groups from their sums (shared/views/group_sums.py). A change of a
joined record touches the source records that link to it, found through the reverse-relation index (never a
scan), and through them their rows or groups. Changes of view collections themselves touch nothing: views are
never sources, so derived writes never trigger themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from shared.catalog.layout import CollectionLayout, ViewBuild
from shared.changes.accumulators import AccumulatorStore
from shared.collections.model import Collection
from shared.observability import logger
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository
from shared.views.definition import ViewDefinition, definition_of
from shared.views.fields import FindCollection
from shared.views.group_sums import GroupWork, apply_group_work, index_members, member_of
from shared.views.rows import refresh


class SourceChange(msgspec.Struct, frozen=True):
    """A record change as views need it: the stored values (field id -> value) before and after."""

    collection_id: str
    record_id: str
    old_data: dict[str, Any] | None
    new_data: dict[str, Any] | None
    # the stream record's write shard and sequence: a view grouped by columns applies each change once
    shard: int | None = None
    sequence: int = 0


class ViewsReport(msgspec.Struct):
    rows_recomputed: int = 0
    rows_written: int = 0
    items_read: int = 0
    # rows whose recompute hit a bug of ours on some value: logged and skipped, so one view cannot hold up the
    # stream (counters, the audit log and events) by failing every retry of the batch
    rows_failed: int = 0


def view_definitions(collections: Iterable[Collection], find: FindCollection) -> list[ViewDefinition]:
    """The maintainable views of the catalog."""
    found = (definition_of(c, find) for c in collections if c.is_view)
    return [d for d in found if d is not None]


def touched_keys(definition: ViewDefinition, change: SourceChange, records: RecordRepository,
                 meter: ReadMeter) -> set[str]:
    """The keys of the view rows this change may alter."""
    keys: set[str] = set()
    group_field = definition.group_field
    source_ids: set[str] = set()
    if change.collection_id == definition.source.id:
        if group_field is None:
            keys.add(change.record_id)
        else:
            keys.update(str(d.get(group_field.id) or "") for d in (change.old_data, change.new_data) if d)
    for alias in definition.sources.join_fields:
        if definition.sources.by_alias[alias].id == change.collection_id:
            source_ids.update(_linking_sources(definition, alias, change.record_id, records, meter))
    if source_ids and group_field is None:
        keys.update(source_ids)
    elif source_ids and group_field is not None:
        members = records.get_many(definition.source.id, sorted(source_ids), meter)
        keys.update(str(r.data.get(group_field.id) or "") for r in members.values())
    keys.discard("")
    return keys


def _linking_sources(definition: ViewDefinition, alias: str, record_id: str, records: RecordRepository,
                     meter: ReadMeter) -> set[str]:
    """The source records whose join chain reaches this record of `alias`: up the chain, one reverse-relation
    lookup per hop (`c` <- `b.rel` <- `a.rel`), never a scan."""
    query, sources = definition.query, definition.sources
    ids = {record_id}
    while alias != query.source_alias and ids:
        join = query.join_by_alias(alias)
        assert join is not None
        via = join.via_alias or query.source_alias
        target, via_collection = sources.by_alias[alias], sources.by_alias[via]
        ids = {i for target_id in sorted(ids) for i in records.referencing(
            target.id, target_id, via_collection.id, sources.join_fields[alias].id, meter)}
        alias = via
    return ids


def group_work(definition: ViewDefinition, changes: list[SourceChange], build: ViewBuild) -> GroupWork:
    """What a batch adds to a column-grouped view's groups: records the build has not counted yet are its own."""
    work = GroupWork()
    for change in changes:
        if change.collection_id != definition.source.id or change.shard is None:
            continue
        if not build.done and change.record_id > build.cursor:
            continue  # the build reads this record after the change: counting it here would count it twice
        old = member_of(definition, change.record_id, change.old_data)
        new = member_of(definition, change.record_id, change.new_data)
        if old == new:
            continue  # the change moves neither its group nor its sums
        for member, sign in ((old, -1), (new, 1)):
            if member is not None:
                work.add(definition, build.job, member, sign, change.shard, change.sequence)
    return work


def apply_view_changes(changes: Iterable[SourceChange], definitions: list[ViewDefinition],
                       records: RecordRepository, accumulators: AccumulatorStore | None = None,
                       layouts: Mapping[str, CollectionLayout] | None = None) -> ViewsReport:
    """Recompute every view row the changes touch, each once per batch; idempotent, so safe to redeliver.

    layouts: the collections' layouts by id; a view grouped by columns follows the stream only once its build
    (on its layout) has started counting, needs the accumulators, and its source's index for MIN and MAX."""
    report, meter = ViewsReport(), ReadMeter()
    touched: dict[tuple[str, str], ViewDefinition] = {}
    view_ids = {d.view.id for d in definitions}
    batch = [c for c in changes if c.collection_id not in view_ids]
    for definition in definitions:
        view_layout, source_layout = ((layouts or {}).get(definition.view.id),
                                      (layouts or {}).get(definition.source.id))
        build = view_layout.view_build if view_layout is not None else None
        if definition.column_grouped and build is not None and accumulators is not None:
            work = group_work(definition, batch, build)
            members = index_members(definition, source_layout, records, meter) if source_layout else None
            report.rows_recomputed += len(work.touched)
            report.rows_written += apply_group_work(definition, work, records, accumulators, build.job, meter,
                                                    members)
    for change in batch:
        for definition in definitions:
            if definition.reads(change.collection_id) and not definition.column_grouped:
                for key in touched_keys(definition, change, records, meter):
                    touched[(definition.view.id, key)] = definition
    for (_, key), definition in sorted(touched.items(), key=lambda item: item[0]):
        report.rows_recomputed += 1
        try:
            report.rows_written += int(refresh(definition, records, key, meter))
        except (ArithmeticError, TypeError, ValueError, KeyError):
            # storage errors propagate (the batch is retried); these would fail every retry the same way
            logger.exception("view row not recomputed", extra={"view": definition.view.id, "row": key})
            report.rows_failed += 1
    report.items_read = meter.items_read
    return report
