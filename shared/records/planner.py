"""The query planner: compiles a filter AST and sort into a typed read plan; it never builds expressions.

Plans, cheapest first:
- `get`: the filter pins `id = '...'`: one point read.
- `index`: a ready index whose first column the filter pins with `=`; further `=` columns extend the sort-key
  prefix, and one range (`> >= < <=`) on the next column bounds it. When the sort is that next column (or
  absent), the index order serves the sort, so a page costs about a page of reads; with every column pinned,
  the index order is id order, which also serves `created` (as for `scan`).
- `scan`: every record of the collection in id order (the default order), which also serves `created` order
  while the collection's ids prove it (shared/records/creation_order.py).
Whatever the plan, every candidate is checked against the whole filter (the residual), so key conditions only
ever narrow; simple comparisons are also pushed down to storage (`pushdown`), cutting transfer, not reads.
Only a repository implementation turns a plan into storage requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import msgspec

from shared.catalog.layout import CollectionLayout, IndexLayout
from shared.collections.model import Collection
from shared.records import creation_order, indexing, keys
from shared.records.computed import unsortable_error
from shared.tools.filter import And, Compare, Expr, Identifier, Operand, SortKey

HIGH = "\U0010ffff"
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}

_PUSHDOWN_TYPES = ("text", "number", "email", "url", "date", "autodate", "editor")

StaticValue = Callable[[Operand], tuple[bool, Any]]
# Whether the caller may narrow reads by a field: a key condition on a field the caller cannot see would make
# the page's contents an oracle on that field's values.
FieldVisible = Callable[[str], bool]
Op = Literal["=", ">", ">=", "<", "<="]
# Sorts the id order serves: ids are creation-ordered, and PocketBase's @rowid is creation order
# (the resolver sorts @rowid by id too, so both plans agree).
_ID_ORDER = (("id",), ("@rowid",))
_AS_CREATED = " (as created order unless the collection is marked unordered)"


class KeyRange(msgspec.Struct, frozen=True):
    """Bounds on an index's sort key (encoded, see keys.index_sk): a prefix, or inclusive lower/upper bounds."""

    prefix: str = ""
    lower: str | None = None
    upper: str | None = None

    def contains(self, key: str) -> bool:
        if self.lower is None and self.upper is None:
            return key.startswith(self.prefix)
        return (self.lower or "") <= key <= (self.upper or HIGH)


class Comparison(msgspec.Struct, frozen=True):
    """A pushed-down `field op value` on a stored field; a record without the field reads as the field's default."""

    field_id: str
    op: Op
    value: Any
    absent_matches: bool

    def holds(self, data: dict[str, Any]) -> bool:
        if self.field_id not in data:
            return self.absent_matches
        stored = data[self.field_id]
        try:
            return bool({"=": stored == self.value, ">": stored > self.value, ">=": stored >= self.value,
                         "<": stored < self.value, "<=": stored <= self.value}[self.op])
        except TypeError:
            return False


class Plan(msgspec.Struct):
    kind: Literal["get", "index", "scan"]
    description: str
    collection_id: str = ""
    ids: list[str] = msgspec.field(default_factory=list)
    index: IndexLayout | None = None
    # the index partition (its first column pinned) and the bounds on the rest of the index key
    partition: str = ""
    sort_range: KeyRange | None = None
    forward: bool = True
    # a scan resumes past this id, in the plan's order (a page cursor, see shared/records/cursor.py)
    after: str | None = None
    # True when the read order already is the requested order, so reading can stop after the page
    ordered: bool = True
    # the id order stands for `created` order: true only while the collection has no unordered marker, which
    # the list reads with its first wave (shared/records/query.py), falling back to an in-memory sort
    creation_order: bool = False
    # a counter partition that holds the exact total for this filter, when one does
    total_counter: str | None = None
    pushdown: tuple[Comparison, ...] = ()
    # the whole rule and filter, checked on every candidate
    residual: Expr | None = None

    @property
    def filtered(self) -> bool:
        return self.residual is not None


class _Condition(msgspec.Struct):
    field: str
    op: str
    value: Any


def conjuncts(expr: Expr | None) -> list[Expr]:
    if expr is None:
        return []
    return list(expr.items) if isinstance(expr, And) else [expr]


def _simple_conditions(collection: Collection, expr: Expr | None, static: StaticValue,
                       visible: FieldVisible) -> list[_Condition]:
    """`field op value` conjuncts on single-valued fields, with the value coerced to the field's type."""
    found = []
    for item in conjuncts(expr):
        if not isinstance(item, Compare) or item.any_of or item.op not in _FLIP:
            continue
        for ident, other, op in ((item.left, item.right, item.op), (item.right, item.left, _FLIP[item.op])):
            if not isinstance(ident, Identifier) or ident.modifier or len(ident.path) != 1 or ident.is_request:
                continue
            ok, value = static(other)
            if not ok:
                continue
            name = ident.path[0]
            if not visible(name):
                continue
            if name == "id":
                if isinstance(value, str):
                    found.append(_Condition("id", op, value))
                continue
            fdef = collection.field_by_name(name)
            if fdef is None or fdef.is_multiple() or fdef.field_type in ("json", "geoPoint", "password"):
                continue
            try:
                coerced = fdef.default_value() if value is None else fdef.normalize(value)
            except Exception:
                continue
            found.append(_Condition(name, op, coerced))
            break
    return found


def _key_range(prefix: str, ranges: list[_Condition]) -> KeyRange | None:
    if not ranges:
        return KeyRange(prefix=prefix) if prefix else None
    lower, upper = prefix, prefix + HIGH
    for cond in ranges:
        enc = keys.encode_value(cond.value)
        if cond.op == ">":
            lower = max(lower, prefix + enc + keys.SEP + HIGH)
        elif cond.op == ">=":
            lower = max(lower, prefix + enc)
        elif cond.op == "<":
            upper = min(upper, prefix + enc)
        elif cond.op == "<=":
            upper = min(upper, prefix + enc + keys.SEP + HIGH)
    return KeyRange(prefix=prefix, lower=lower, upper=upper)


def _index_candidate(collection: Collection, index: IndexLayout, conds: list[_Condition],
                     sort: list[SortKey], visible: FieldVisible) -> tuple[int, Plan] | None:
    eq = {c.field: c.value for c in conds if c.op == "="}
    if index.columns[0] not in eq:
        return None
    rest = index.columns[1:]
    prefix_cols = 0
    while prefix_cols < len(rest) and rest[prefix_cols] in eq:
        prefix_cols += 1
    prefix = "".join(keys.encode_value(eq[c]) + keys.SEP for c in rest[:prefix_cols])
    next_col = rest[prefix_cols] if prefix_cols < len(rest) else None
    ranges = [c for c in conds if next_col and c.field == next_col and c.op in (">", ">=", "<", "<=")]
    forward, ordered = True, not sort
    sorted_by = sort[0].path if len(sort) == 1 else None
    # an index order on a column the caller may not filter by would sort by values it cannot see
    if sorted_by is not None and (sorted_by == (next_col,) and visible(next_col) if next_col
                                  else sorted_by in _ID_ORDER):
        forward, ordered = not sort[0].descending, True
    # every column pinned: the partition's sort keys end in the id, so its order is id order
    by_created = next_col is None and _creation_sort(collection, sort, visible)
    if by_created:
        forward, ordered = not sort[0].descending, True
    score = 10 * (1 + prefix_cols) + (5 if ranges else 0) + (3 if ordered and sort else 0)
    partition = keys.index_pk(collection.id, index.slot or 0, eq[index.columns[0]])
    only_leading_eq = len(conds) == 1 and not prefix_cols
    described = f"index {index.name} (gsi{index.slot}) on {index.columns[0]} = {eq[index.columns[0]]!r}"
    if prefix_cols:
        described += " and " + ", ".join(f"{c} = {eq[c]!r}" for c in rest[:prefix_cols])
    if ranges:
        described += " with range on " + next_col  # type: ignore[operator]
    described += ", " + ("in index order" if ordered else "sorted in memory") + (_AS_CREATED if by_created else "")
    return score, Plan(kind="index", description=described, collection_id=collection.id, index=index,
                       partition=partition, sort_range=_key_range(prefix, ranges), forward=forward, ordered=ordered,
                       creation_order=by_created,
                       total_counter=partition if only_leading_eq and indexing.counts_partitions(index) else None)


def _pushdown(collection: Collection, conds: list[_Condition]) -> tuple[Comparison, ...]:
    out = []
    for cond in conds:
        fdef = collection.field_by_name(cond.field)
        # Only types whose stored shape never changes with their options (select/relation can turn multiple).
        if fdef is None or cond.op == "!=" or fdef.field_type not in _PUSHDOWN_TYPES:
            continue
        probe = Comparison(fdef.id, cond.op, cond.value, absent_matches=False)  # type: ignore[arg-type]
        # A field added after a record was written is absent from it and reads as its default value.
        absent = probe.holds({fdef.id: fdef.default_value()})
        out.append(Comparison(fdef.id, cond.op, cond.value, absent_matches=absent))  # type: ignore[arg-type]
    return tuple(out)


def _creation_sort(collection: Collection, sort: list[SortKey], visible: FieldVisible) -> bool:
    """Whether the sort is `created` (then optionally `id`) in one direction, on an onCreate-only autodate the
    caller may see: the id order serves it while the collection's ids prove creation order (creation_order)."""
    # a view's rows are no writes of ours, so nothing would ever mark it
    if collection.type == "view" or not 1 <= len(sort) <= 2 or sort[0].path != (creation_order.CREATED,):
        return False
    if len(sort) == 2 and (sort[1].path not in _ID_ORDER or sort[1].descending != sort[0].descending):
        return False
    return creation_order.creation_field(collection) is not None and visible(creation_order.CREATED)


def plan_query(collection: Collection, layout: CollectionLayout, expr: Expr | None, sort: list[SortKey],
               static: StaticValue, visible: FieldVisible = lambda _name: True) -> Plan:
    """Choose the cheapest plan for a filter (rule and user filter combined) and sort."""
    unsortable = unsortable_error(collection, [key.path[0] for key in sort if len(key.path) == 1])
    if unsortable:
        raise unsortable
    conds = _simple_conditions(collection, expr, static, visible)
    ids = [c.value for c in conds if c.field == "id" and c.op == "="]
    plan: Plan
    if ids:
        plan = Plan(kind="get", description=f"get by id {ids[0]!r}", collection_id=collection.id, ids=ids[:1])
    else:
        best: tuple[int, Plan] | None = None
        for index in layout.slotted():
            if not index.ready:
                continue
            candidate = _index_candidate(collection, index, conds, sort, visible)
            if candidate and (best is None or candidate[0] > best[0]):
                best = candidate
        if best:
            plan = best[1]
        else:
            forward, ordered, by_created = True, not sort, _creation_sort(collection, sort, visible)
            if (len(sort) == 1 and sort[0].path in _ID_ORDER) or by_created:
                forward, ordered = not sort[0].descending, True
            described = "in id order" if ordered else "sorted in memory"
            plan = Plan(kind="scan", description="scan by id, " + described + (_AS_CREATED if by_created else ""),
                        collection_id=collection.id, forward=forward, ordered=ordered, creation_order=by_created,
                        total_counter=collection.id if expr is None else None)
    plan.residual = expr
    plan.pushdown = _pushdown(collection, [c for c in conds if c.field != "id"])
    if plan.pushdown:
        plan.description += ", with pushed-down comparisons"
    if expr is not None:
        plan.description += ", residual filter"
    return plan
