"""Parses a viewQuery (SQLite SELECT) with sqlglot into the subset a maintained view supports, or refuses it.

The subset: columns and expressions with aliases from one collection, `LEFT JOIN` along a relation field of that
collection (`LEFT JOIN b ON b.id = a.rel`), `WHERE`, `GROUP BY` source columns with COUNT, SUM, AVG, MIN and MAX,
and the `id` column. Anything else raises ViewQueryError naming the construct: a view we could not maintain
exactly is refused, never answered wrongly. Domain-free: collections and fields are resolved by the planner.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from shared.views import limits


class ViewQueryError(ValueError):
    """A viewQuery that is invalid or outside the maintained subset; the message is the API's."""


AGGREGATES: dict[type[exp.Expression], str] = {exp.Count: "count", exp.Sum: "sum", exp.Avg: "avg",
                                               exp.Min: "min", exp.Max: "max"}
# Scalar nodes the evaluator (evaluate.py) implements with SQLite's semantics; any other node is refused.
SCALAR_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.DPipe,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between,
    exp.Like, exp.Case, exp.If, exp.Coalesce, exp.Lower, exp.Upper, exp.Length, exp.Abs, exp.Round,
    exp.Cast, exp.DataType,
)
_REFUSED_CLAUSES = (("with_", "WITH"), ("distinct", "DISTINCT"), ("having", "HAVING"), ("order", "ORDER BY"),
                    ("limit", "LIMIT"), ("offset", "OFFSET"), ("windows", "WINDOW"))


class ViewJoin(msgspec.Struct, frozen=True):
    """`LEFT JOIN table alias ON alias.id = via_alias.via_column`: via_column is a relation field of the source,
    or of a collection joined before (a chain `a -> b -> c`)."""

    table: str
    alias: str
    via_column: str
    via_alias: str = ""


class ColumnRef(msgspec.Struct, frozen=True):
    """A column as `alias.name`, the alias resolved (an unqualified name is the source's, as PocketBase reads it)."""

    alias: str
    name: str


class ViewColumn(msgspec.Struct, frozen=True):
    name: str
    expression: exp.Expression
    # "count", "sum", ... for an aggregate column, whose expression is the aggregate's argument (None for `*`)
    aggregate: str | None = None

    @property
    def ref(self) -> ColumnRef | None:
        """The column this one selects as is, if it is a plain column."""
        return column_ref(self.expression) if isinstance(self.expression, exp.Column) else None


class ViewQuery(msgspec.Struct, frozen=True):
    source: str
    source_alias: str
    joins: tuple[ViewJoin, ...]
    columns: tuple[ViewColumn, ...]
    where: exp.Expression | None
    # the GROUP BY columns, all of the source (empty: not grouped)
    group_by: tuple[ColumnRef, ...] = ()

    def join_by_alias(self, alias: str) -> ViewJoin | None:
        return next((join for join in self.joins if join.alias == alias), None)


def column_ref(column: exp.Column) -> ColumnRef:
    """The column's table alias and name; the alias is "" for an unqualified column (the source's)."""
    return ColumnRef(column.table or "", column.name)


def parse_view_query(text: str) -> ViewQuery:
    """The view's definition; ViewQueryError for invalid SQL and for every construct outside the subset."""
    if not text.strip():
        raise ViewQueryError("Cannot be blank.")
    if len(text) > limits.MAX_QUERY_LENGTH:
        raise ViewQueryError(f"Invalid query - longer than {limits.MAX_QUERY_LENGTH} characters.")
    try:
        statements = [s for s in sqlglot.parse(text, dialect="sqlite") if s is not None]
    except SqlglotError as exc:
        raise ViewQueryError(f"Invalid query - {_first_line(str(exc))}.") from exc
    if len(statements) != 1:
        raise ViewQueryError("Invalid query - multiple statements are not supported.")
    select = statements[0]
    if not isinstance(select, exp.Select):
        raise ViewQueryError(f"Invalid query - {_construct(select)} is not supported in a materialized view "
                             "(only one SELECT).")
    if sum(1 for _ in select.walk()) > limits.MAX_NODES:
        raise ViewQueryError(f"Invalid query - more than {limits.MAX_NODES} expression nodes.")
    for arg, name in _REFUSED_CLAUSES:
        if select.args.get(arg):
            raise _unsupported(name)
    source, source_alias = _source(select)
    aliases = {source_alias}
    joins = tuple(_join(join, source_alias, aliases) for join in select.args.get("joins") or [])
    if len(joins) > limits.MAX_JOINS:
        raise ViewQueryError(f"Invalid query - more than {limits.MAX_JOINS} joins.")
    group_by = _group_by(select, source_alias)
    columns = tuple(_column(expression, aliases, grouped=bool(group_by))
                    for expression in select.expressions)
    if len(columns) > limits.MAX_COLUMNS:
        raise ViewQueryError(f"Invalid query - more than {limits.MAX_COLUMNS} columns.")
    where = select.args["where"].this if select.args.get("where") else None
    if where is not None:
        _check_scalar(where, aliases, "WHERE")
    query = ViewQuery(source, source_alias, joins, _unique(columns), where, group_by)
    if group_by:
        _check_grouped(query)
    else:
        _check_plain(query)
    return query


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0].rstrip(".") if message.strip() else "syntax error"


def _construct(node: Any) -> str:
    names: dict[type, str] = {exp.Union: "UNION", exp.Intersect: "INTERSECT", exp.Except: "EXCEPT"}
    return names.get(type(node), str(node.key).upper())


def _unsupported(construct: str) -> ViewQueryError:
    return ViewQueryError(f"Invalid query - {construct} is not supported in a materialized view.")


def _table(node: exp.Expression) -> tuple[str, str]:
    if not isinstance(node, exp.Table) or not node.name or node.args.get("db"):
        raise _unsupported("a subquery or table function in FROM" if not isinstance(node, exp.Table)
                           else "a schema-qualified table")
    return node.name, node.alias_or_name


def _source(select: exp.Select) -> tuple[str, str]:
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        raise ViewQueryError("Invalid query - a view selects FROM one collection.")
    return _table(from_.this)


def _join(join: exp.Join, source_alias: str, aliases: set[str]) -> ViewJoin:
    side, kind = (join.side or "").upper(), (join.kind or "").upper()
    if side != "LEFT" or kind not in ("", "OUTER"):
        raise _unsupported(" ".join(p for p in (side, kind, "JOIN") if p) if side or kind else "JOIN (inner)")
    if join.args.get("using"):
        raise _unsupported("JOIN ... USING")
    table, alias = _table(join.this)
    if alias in aliases:
        raise ViewQueryError(f"Invalid query - the table alias {alias!r} is used twice.")
    on = join.args.get("on")
    sides = (on.this, on.expression) if isinstance(on, exp.EQ) else ()
    if len(sides) == 2 and all(isinstance(s, exp.Column) for s in sides):
        for own, other in (sides, sides[::-1]):
            own_ref, other_ref = column_ref(own), column_ref(other)
            via = other_ref.alias or source_alias
            if own_ref == ColumnRef(alias, "id") and via in aliases and other_ref.name != "id":
                aliases.add(alias)
                return ViewJoin(table, alias, other_ref.name, via)
    raise ViewQueryError("Invalid query - a LEFT JOIN must follow a relation field of the source collection or of "
                         f"one joined before: `LEFT JOIN {table} {alias} ON {alias}.id = {source_alias}.<relation "
                         "field>`.")


def _group_by(select: exp.Select, source_alias: str) -> tuple[ColumnRef, ...]:
    group = select.args.get("group")
    if group is None:
        return ()
    keys: list[ColumnRef] = []
    for key in group.expressions:
        if not isinstance(key, exp.Column):
            raise _unsupported("GROUP BY an expression (group by columns)")
        ref = column_ref(key)
        if ref.alias not in ("", source_alias):
            raise _unsupported("GROUP BY a joined column")
        if ColumnRef(source_alias, ref.name.lower()) not in {ColumnRef(k.alias, k.name.lower()) for k in keys}:
            keys.append(ColumnRef(source_alias, ref.name))
    return tuple(keys)


def _column(expression: exp.Expression, aliases: set[str], *, grouped: bool) -> ViewColumn:
    if isinstance(expression, exp.Star) or (isinstance(expression, exp.Column) and expression.is_star):
        raise ViewQueryError("Invalid query - wildcard columns (*) are not supported - manually type the "
                             "collection field names you want the view query to have.")
    node = expression.this if isinstance(expression, exp.Alias) else expression
    name = expression.alias_or_name
    while isinstance(node, exp.Paren):
        node = node.this
    aggregate = AGGREGATES.get(type(node))
    if aggregate is not None:
        if not grouped:
            raise _unsupported(f"{aggregate.upper()}() without GROUP BY")
        if node.args.get("distinct") or isinstance(node.this, exp.Distinct):
            raise _unsupported(f"{aggregate.upper()}(DISTINCT ...)")
        argument = node.this
        if isinstance(argument, exp.Star):
            if aggregate != "count":
                raise _unsupported(f"{aggregate.upper()}(*)")
            return ViewColumn(name, exp.Star(), aggregate)
        _check_scalar(argument, aliases, f"{aggregate.upper()}()")
        return ViewColumn(name, argument, aggregate)
    if not name or (not isinstance(expression, exp.Alias) and not isinstance(node, exp.Column)):
        raise ViewQueryError(f"Invalid query - the expression {expression.sql(dialect='sqlite')!r} needs an "
                             "alias (`... AS name`).")
    _check_scalar(node, aliases, "a column")
    return ViewColumn(name, node)


def _check_scalar(node: exp.Expression, aliases: set[str], where: str) -> None:
    for sub in node.walk():
        if isinstance(sub, exp.Select | exp.Subquery):
            raise _unsupported(f"a subquery in {where}")
        if isinstance(sub, exp.Window):
            raise _unsupported(f"a window function in {where}")
        if type(sub) in AGGREGATES:
            raise _unsupported(f"an aggregate nested in {where}")
        if isinstance(sub, exp.Column) and sub.table and sub.table not in aliases:
            raise ViewQueryError(f"Invalid query - no such table alias: {sub.table}.")
        if not isinstance(sub, SCALAR_NODES) and not isinstance(sub, exp.Var | exp.Star):
            label = sub.sql_name() if isinstance(sub, exp.Func) else sub.key.upper()
            raise _unsupported(f"{label} in {where}")


def _unique(columns: tuple[ViewColumn, ...]) -> tuple[ViewColumn, ...]:
    seen: set[str] = set()
    for column in columns:
        if column.name.lower() in seen:
            raise ViewQueryError(f"Invalid query - duplicated column name {column.name!r}.")
        seen.add(column.name.lower())
    return columns


def _check_grouped(query: ViewQuery) -> None:
    """Every other column of a grouped view is an aggregate or reads only GROUP BY columns (then it is the same for
    every record of a group), and the `id` is one of those: one row per group."""
    keys = {ColumnRef(k.alias, k.name.lower()) for k in query.group_by}
    id_column = next((c for c in query.columns if c.name == "id"), None)
    for column in query.columns:
        if column.aggregate is not None:
            continue
        read = {ColumnRef(c.table or query.source_alias, c.name.lower())
                for c in column.expression.find_all(exp.Column)}
        if read and read <= keys:
            continue
        raise _unsupported(f"the column {column.name!r} neither a GROUP BY column (or an expression over them) nor "
                           "an aggregate")
    if id_column is not None and id_column.aggregate is not None:
        raise _unsupported("an aggregate as the id (a grouped view's id is its GROUP BY key)")


def _check_plain(query: ViewQuery) -> None:
    """A view without GROUP BY has one row per source record, under the source record's id."""
    id_column = next((c for c in query.columns if c.name == "id"), None)
    ref = id_column.ref if id_column is not None else None
    if id_column is not None and (ref is None or ref.alias not in ("", query.source_alias) or ref.name != "id"):
        raise _unsupported("an id other than the source's id (or, with GROUP BY, the group key)")
