"""Views grouped by columns (not one relation): each group's row kept from its sums and counts, exactly once.

No index finds the records of a group like `status = 'open'` without a scan, so such a view's rows are never
recomputed from their members. Each group instead has an accumulator (shared/changes/accumulators.py, the
counters' exactly-once mechanism) holding `rows` (COUNT(*)) and, per aggregate column i, `n_i` (its non-NULL
values), `t_i` (their sum, as SQLite's SUM reads them) and `f_i` (how many were not integers: SQLite's SUM is
then a real): COUNT, SUM and AVG follow from them. A source change takes its old image's contribution away
from its old group and adds its new one to its new group, each with its stream mark, so a redelivered batch
changes nothing twice; then each touched group's row is written from its accumulator (deleted at zero rows).

A group is named by the row's `id` (an expression over the GROUP BY columns, e.g. `status AS id` or
`status || '-' || year AS id`); the other key columns are the same for all of a group's records, and are
taken from the images that reach it. Example: `SELECT status AS id, COUNT(*) AS n, SUM(total) AS sum FROM
orders GROUP BY status`; an order moving from "open" to "paid" with total 5 adds {rows: -1, n_2: -1, t_2: -5}
to the "open" group and the opposite to "paid".

The build (shared/jobs/view_build.py) adds every source record's contribution once, under its own shard of
marks, while the stream adds only the changes of records the build has already counted (`id <= cursor`).
Accumulators are keyed by the build job, so a changed query starts from zero.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec

from shared.catalog.layout import CollectionLayout
from shared.changes.accumulators import AccumulatorKey, AccumulatorStore, SumsContribution, apply_accumulators
from shared.observability import logger
from shared.records.model import ReadMeter, StoredRecord
from shared.records.planner import plan_query
from shared.records.repository import RecordRepository
from shared.tools.filter import And, Compare, Identifier, Literal
from shared.views.definition import ViewDefinition
from shared.views.evaluate import compare, evaluate, sql_number, sql_text
from shared.views.rows import passes, row_values, store_row
from shared.views.subset import ColumnRef

# The build's contributions carry this write shard (stream shards are small integers), its step as sequence.
BUILD_SHARD = 999_999


class Member(msgspec.Struct, frozen=True):
    """What one source record image gives its group: the group's id, its key columns' values, its sums."""

    group: str
    keys: dict[str, Any]
    sums: dict[str, float]
    # the GROUP BY columns' stored values (source field name -> value), and each MIN/MAX column's value by index
    by: dict[str, Any] = msgspec.field(default_factory=dict)
    extremes: dict[int, Any] = msgspec.field(default_factory=dict)


def member_of(definition: ViewDefinition, record_id: str, data: dict[str, Any] | None) -> Member | None:
    """The record image's group and contribution; None when it is in no group (WHERE, or an empty id)."""
    if data is None:
        return None
    query, view = definition.query, definition.view
    row = row_values(query.source_alias, definition.source.fields, StoredRecord(definition.source.id, record_id, data))
    if query.where is not None and not passes(evaluate(query.where, row, query.source_alias)):
        return None
    keys: dict[str, Any] = {}
    sums: dict[str, float] = {"rows": 1}
    extremes: dict[int, Any] = {}
    group = ""
    for i, column in enumerate(query.columns):
        view_field = view.field_by_name(column.name)
        if column.aggregate is None:
            value = evaluate(column.expression, row, query.source_alias)
            if column.name == "id":
                group = "" if value is None else sql_text(value)
            elif view_field is not None:
                ref = column.ref
                keys[view_field.id] = value if ref is None else row.get(ColumnRef(ref.alias or query.source_alias,
                                                                             ref.name.lower()))
            continue
        if column.aggregate == "count" and column.expression.key == "star":
            continue
        value = evaluate(column.expression, row, query.source_alias)
        if value is None:
            continue
        if column.aggregate in ("min", "max"):
            extremes[i] = value
            continue
        sums[f"n_{i}"] = 1
        if column.aggregate in ("sum", "avg"):
            number = sql_number(value)
            sums[f"t_{i}"] = number
            sums[f"f_{i}"] = int(isinstance(number, float))
    if not group:
        return None
    if (id_field := view.field_by_name("id")) is not None:
        keys[id_field.id] = group
    by = {k.name: row.get(ColumnRef(query.source_alias, k.name.lower())) for k in query.group_by}
    return Member(group, keys, sums, by, extremes)


def partition(definition: ViewDefinition, job: str, group: str) -> str:
    """The group's accumulator: per view, build job and group (hashed: an id may hold any character)."""
    digest = hashlib.sha256(group.encode()).hexdigest()[:32]
    return AccumulatorKey(definition.view.id, digest, "g" + job).partition


def row_data(definition: ViewDefinition, keys: dict[str, Any], sums: dict[str, float]) -> dict[str, Any] | None:
    """The row from its key columns and its group's sums; None when the group has no record."""
    if round(sums.get("rows", 0)) <= 0:
        return None
    data = dict(keys)
    for i, column in enumerate(definition.query.columns):
        view_field = definition.view.field_by_name(column.name)
        if column.aggregate is None or view_field is None:
            continue
        count = round(sums.get(f"n_{i}", 0))
        total = sums.get(f"t_{i}", 0)
        if column.aggregate in ("min", "max"):
            continue  # kept on the row itself (refresh_group)
        if column.aggregate == "count":
            data[view_field.id] = round(sums.get("rows", 0)) if column.expression.key == "star" else count
        elif count <= 0:
            data[view_field.id] = None
        elif column.aggregate == "sum":
            data[view_field.id] = float(total) if round(sums.get(f"f_{i}", 0)) > 0 else round(total)
        else:
            data[view_field.id] = total / count
    return data


def _extreme(kind: str, values: list[Any]) -> Any:
    best = None
    for value in values:
        if value is not None and (best is None or ((compare(value, best) < 0) == (kind == "min")
                                  and compare(value, best) != 0)):
            best = value
    return best


def extremes_of(definition: ViewDefinition, members: list[Member]) -> dict[str, Any]:
    """The MIN/MAX columns over these members of one group (field id -> value)."""
    return {view_field.id: _extreme(str(column.aggregate), [m.extremes.get(i) for m in members])
            for i, column in enumerate(definition.query.columns) if column.aggregate in ("min", "max")
            for view_field in [definition.view.field_by_name(column.name)] if view_field is not None}


def _extremes(definition: ViewDefinition, group: str, current: StoredRecord | None, moves: GroupMoves,
              members: Members | None) -> dict[str, Any]:
    """The MIN/MAX columns: the stored extreme with the added values, unless a removed value was the extreme;
    then (only then) recomputed from the group's members."""
    out: dict[str, Any] = {}
    recomputed: list[Member] | None = None
    for i, column in enumerate(definition.query.columns):
        view_field = definition.view.field_by_name(column.name)
        if column.aggregate not in ("min", "max") or view_field is None:
            continue
        kind = column.aggregate
        held = current.data.get(view_field.id) if current is not None else None
        extreme_left = False
        for sign, value in moves.values.get(i, []):  # in stream order: a value added then removed is no extreme
            if sign > 0:
                held = _extreme(kind, [held, value])
            elif held is not None and compare(value, held) == 0:
                extreme_left = True
                break
        if extreme_left:
            if recomputed is None:
                recomputed = members(group, moves.by) if members is not None else None
            if recomputed is not None:
                out[view_field.id] = _extreme(kind, [m.extremes.get(i) for m in recomputed])
                continue
            logger.warning("view group extreme kept: its index cannot list the group",
                           extra={"view": definition.view.id, "column": column.name})
        out[view_field.id] = held
    return out


def refresh_group(definition: ViewDefinition, records: RecordRepository, store: AccumulatorStore, job: str,
                  group: str, moves: GroupMoves, meter: ReadMeter, members: Members | None = None) -> bool:
    """Write the group's row from its accumulator, its key columns' values and its MIN/MAX moves; True when
    storage changed."""
    def compute_row(current: StoredRecord | None) -> dict[str, Any] | None:
        data = row_data(definition, moves.keys, store.read(partition(definition, job, group)).sums)
        if data is not None:
            data.update(_extremes(definition, group, current, moves, members))
        return data

    return store_row(records, definition.view.id, group, compute_row, meter)


class GroupMoves(msgspec.Struct):
    """What reaches one group: its key columns' values (from any of its images: a group's records share them),
    its GROUP BY values, and the MIN/MAX columns' values added (+1) and removed (-1) in order, by column index."""

    keys: dict[str, Any]
    by: dict[str, Any]
    values: dict[int, list[tuple[int, Any]]] = msgspec.field(default_factory=dict)


# a group's members by its id and GROUP BY values (through an index), or None when no ready index lists them
Members = Callable[[str, dict[str, Any]], "list[Member] | None"]


class GroupWork(msgspec.Struct):
    """A batch's (or build step's) contributions to a view's groups, and the groups to rewrite."""

    contributions: list[tuple[str, SumsContribution]] = msgspec.field(default_factory=list)
    touched: dict[str, GroupMoves] = msgspec.field(default_factory=dict)

    def add(self, definition: ViewDefinition, job: str, member: Member, sign: int, shard: int, sequence: int) -> None:
        sums = {name: sign * value for name, value in member.sums.items()}
        self.contributions.append((partition(definition, job, member.group), SumsContribution(shard, sequence, sums)))
        moves = self.touched.setdefault(member.group, GroupMoves(member.keys, member.by))
        for i, value in member.extremes.items():
            moves.values.setdefault(i, []).append((sign, value))


def apply_group_work(definition: ViewDefinition, work: GroupWork, records: RecordRepository,
                     store: AccumulatorStore, job: str, meter: ReadMeter, members: Members | None = None) -> int:
    """Apply the contributions exactly once, then rewrite every touched group's row; the rows written."""
    apply_accumulators(work.contributions, store)
    return sum(refresh_group(definition, records, store, job, group, moves, meter, members)
               for group, moves in sorted(work.touched.items()))


def index_members(definition: ViewDefinition, layout: CollectionLayout, records: RecordRepository,
                  meter: ReadMeter) -> Members:
    """A group's members read through the source's index on the GROUP BY columns (a key condition on their
    values, never a scan); None while no ready index serves it."""
    source = definition.source

    def members(group: str, by: dict[str, Any]) -> list[Member] | None:
        condition = And(tuple(Compare(Identifier((name,)), "=", Literal(value)) for name, value in by.items()))
        plan = plan_query(source, layout, condition, [], lambda o: (isinstance(o, Literal),
                                                                    o.value if isinstance(o, Literal) else None))
        if plan.kind != "index":
            return None
        found = [member_of(definition, r.id, r.data) for r in records.query(plan, meter, want=1 << 30, drain=True)]
        # the index may lag: a record counts only while its stored values still put it in the group
        return [m for m in found if m is not None and m.group == group]

    return members
