"""The query planner: compiles a filter AST and sort into the cheapest DynamoDB read plan.

Plans, cheapest first:
- `get`: the filter pins `id = '...'`: one GetItem.
- `index`: a ready index whose first column the filter pins with `=`; further `=` columns extend the sort-key
  prefix, and one range (`> >= < <=`) on the next column becomes a BETWEEN. When the sort is that next
  column (or absent), the index order serves the sort, so a page costs about a page of reads.
- `scan`: every write shard of the collection, merged by id (the default order).
Whatever the plan, every candidate is checked against the whole filter in Python (the residual), so key
conditions only ever narrow; simple comparisons are also pushed down as a FilterExpression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.catalog.layout import CollectionLayout, IndexLayout
from shared.collections.model import Collection
from shared.dynamo_values import to_attribute
from shared.records import keys
from shared.tools.filter import And, Compare, Expr, Identifier, Operand, SortKey

HIGH = "\U0010ffff"
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}

_PUSHDOWN_TYPES = ("text", "number", "email", "url", "date", "autodate", "editor")

StaticValue = Callable[[Operand], tuple[bool, Any]]


@dataclass
class Plan:
    kind: str
    description: str
    ids: list[str] = field(default_factory=list)
    index: IndexLayout | None = None
    pk_value: str = ""
    sk_condition: tuple[str, dict[str, Any]] | None = None
    forward: bool = True
    # True when the read order already is the requested order, so reading can stop after the page
    ordered: bool = True
    # a counter partition that holds the exact total for this filter, when one does
    total_counter: str | None = None
    pushdown: tuple[str, dict[str, str], dict[str, Any]] | None = None
    # whether a rule or filter narrows the candidates (reads per page then depend on its selectivity)
    filtered: bool = False


@dataclass
class _Condition:
    field: str
    op: str
    value: Any


def conjuncts(expr: Expr | None) -> list[Expr]:
    if expr is None:
        return []
    return list(expr.items) if isinstance(expr, And) else [expr]


def _simple_conditions(collection: Collection, expr: Expr | None, static: StaticValue) -> list[_Condition]:
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


def _sk_condition(prefix: str, ranges: list[_Condition]) -> tuple[str, dict[str, Any]] | None:
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
    if not ranges:
        if not prefix:
            return None
        return "begins_with(#sk, :lo)", {":lo": {"S": prefix}}
    return "#sk BETWEEN :lo AND :hi", {":lo": {"S": lower}, ":hi": {"S": upper}}


def _index_candidate(collection: Collection, index: IndexLayout, conds: list[_Condition],
                     sort: list[SortKey]) -> tuple[int, Plan] | None:
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
    if sorted_by is not None and sorted_by == ((next_col,) if next_col else ("id",)):
        forward, ordered = not sort[0].descending, True
    score = 10 * (1 + prefix_cols) + (5 if ranges else 0) + (3 if ordered and sort else 0)
    pk_value = keys.index_pk(collection.id, index.slot or 0, eq[index.columns[0]])
    only_leading_eq = len(conds) == 1 and not prefix_cols
    described = f"index {index.name} (gsi{index.slot}) on {index.columns[0]} = {eq[index.columns[0]]!r}"
    if prefix_cols:
        described += " and " + ", ".join(f"{c} = {eq[c]!r}" for c in rest[:prefix_cols])
    if ranges:
        described += " with range on " + next_col  # type: ignore[operator]
    described += ", " + ("in index order" if ordered else "sorted in memory")
    return score, Plan(kind="index", description=described, index=index, pk_value=pk_value,
                       sk_condition=_sk_condition(prefix, ranges), forward=forward, ordered=ordered,
                       total_counter=pk_value if only_leading_eq else None)


def _pushdown(collection: Collection, conds: list[_Condition]
              ) -> tuple[str, dict[str, str], dict[str, Any]] | None:
    parts, names, values = [], {"#pd": "d"}, {}
    for i, cond in enumerate(conds):
        fdef = collection.field_by_name(cond.field)
        # Only types whose stored shape never changes with their options (select/relation can turn multiple).
        if fdef is None or cond.op == "!=" or fdef.field_type not in _PUSHDOWN_TYPES:
            continue
        names[f"#p{i}"] = fdef.id
        values[f":p{i}"] = to_attribute(cond.value)
        expr = f"#pd.#p{i} {cond.op} :p{i}"
        default = fdef.default_value()
        try:
            default_matches = {"=": default == cond.value, ">": default > cond.value, ">=": default >= cond.value,
                               "<": default < cond.value, "<=": default <= cond.value}[cond.op]
        except TypeError:
            continue
        # A field added after a record was written is absent from it and reads as its default value.
        parts.append(f"(attribute_not_exists(#pd.#p{i}) OR {expr})" if default_matches else expr)
    if not parts:
        return None
    return " AND ".join(parts), names, values


def plan_query(collection: Collection, layout: CollectionLayout, expr: Expr | None, sort: list[SortKey],
               static: StaticValue) -> Plan:
    """Choose the cheapest plan for a filter (rule and user filter combined) and sort."""
    conds = _simple_conditions(collection, expr, static)
    ids = [c.value for c in conds if c.field == "id" and c.op == "="]
    if ids:
        return Plan(kind="get", description=f"get by id {ids[0]!r}", ids=ids[:1], ordered=True)
    best: tuple[int, Plan] | None = None
    for index in layout.slotted():
        if not index.ready:
            continue
        candidate = _index_candidate(collection, index, conds, sort)
        if candidate and (best is None or candidate[0] > best[0]):
            best = candidate
    plan: Plan
    if best:
        plan = best[1]
    else:
        forward, ordered = True, not sort
        if len(sort) == 1 and sort[0].path == ("id",):
            forward, ordered = not sort[0].descending, True
        plan = Plan(kind="scan", description=f"scan of {keys.RECORD_SHARDS} shards by id, "
                    + ("in id order" if ordered else "sorted in memory"), forward=forward, ordered=ordered,
                    total_counter=collection.id if expr is None else None)
    plan.filtered = expr is not None
    plan.pushdown = _pushdown(collection, [c for c in conds if c.field != "id"])
    if plan.pushdown:
        plan.description += ", with FilterExpression"
    if expr is not None:
        plan.description += ", residual filter in Python"
    return plan
