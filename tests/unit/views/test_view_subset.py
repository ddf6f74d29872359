"""The viewQuery subset: each supported construct parses to its definition, each refused one names itself."""

from __future__ import annotations

import pytest

from shared.views.subset import ColumnRef, ViewJoin, ViewQueryError, parse_view_query


def test_columns_expressions_and_aliases_from_one_collection() -> None:
    # Given a query of plain and computed columns, When parsed
    query = parse_view_query("SELECT id, title, total * 2 AS dbl, title AS name FROM invoices")
    # Then each column keeps its name, the source is the collection, nothing is grouped
    assert [c.name for c in query.columns] == ["id", "title", "dbl", "name"]
    assert (query.source, query.source_alias, query.group_by, query.joins) == ("invoices", "invoices", (), ())
    assert query.columns[3].ref == ColumnRef("", "title") and query.columns[2].ref is None


def test_left_join_along_a_relation_field_either_way_round() -> None:
    for on in ("c.id = i.customer", "i.customer = c.id"):
        query = parse_view_query(f"SELECT i.id, c.name AS cname FROM invoices i LEFT JOIN customers c ON {on}")
        assert query.joins == (ViewJoin("customers", "c", "customer", "i"),)
        assert query.source_alias == "i"


def test_left_joins_may_chain_along_joined_collections() -> None:
    query = parse_view_query("SELECT i.id, r.name AS region FROM invoices i LEFT JOIN customers c ON c.id = "
                             "i.customer LEFT JOIN regions r ON r.id = c.region")
    assert query.joins == (ViewJoin("customers", "c", "customer", "i"), ViewJoin("regions", "r", "region", "c"))


def test_where_and_group_by_with_each_aggregate() -> None:
    query = parse_view_query("SELECT customer AS id, COUNT(*) AS n, SUM(total) AS s, AVG(total) AS a, "
                             "MIN(total) AS lo, MAX(total) AS hi FROM invoices WHERE paid = true GROUP BY customer")
    assert query.group_by == (ColumnRef("invoices", "customer"),)
    assert [c.aggregate for c in query.columns] == [None, "count", "sum", "avg", "min", "max"]
    assert query.where is not None


REFUSED = [
    ("", "Cannot be blank."),
    ("SELEC nonsense", "Invalid query - "),
    ("SELECT id FROM a; SELECT id FROM b", "multiple statements are not supported"),
    ("SELECT id FROM a UNION SELECT id FROM b", "UNION is not supported in a materialized view"),
    ("WITH x AS (SELECT id FROM a) SELECT id FROM x", "WITH is not supported"),
    ("SELECT DISTINCT id FROM a", "DISTINCT is not supported"),
    ("SELECT id FROM a ORDER BY id", "ORDER BY is not supported"),
    ("SELECT id FROM a LIMIT 3", "LIMIT is not supported"),
    ("SELECT b AS id, COUNT(*) AS n FROM a GROUP BY b HAVING COUNT(*) > 1", "HAVING is not supported"),
    ("SELECT * FROM a", "wildcard columns (*) are not supported"),
    ("SELECT a.id FROM a JOIN b ON b.id = a.rel", "JOIN (inner) is not supported"),
    ("SELECT a.id FROM a INNER JOIN b ON b.id = a.rel", "INNER JOIN is not supported"),
    ("SELECT a.id FROM a RIGHT JOIN b ON b.id = a.rel", "RIGHT JOIN is not supported"),
    ("SELECT a.id FROM a CROSS JOIN b", "CROSS JOIN is not supported"),
    ("SELECT a.id FROM a LEFT JOIN b ON b.name = a.title", "a LEFT JOIN must follow a relation field"),
    ("SELECT a.id FROM a LEFT JOIN b USING (id)", "JOIN ... USING is not supported"),
    ("SELECT id FROM (SELECT id FROM a)", "a subquery or table function in FROM is not supported"),
    ("SELECT id, (SELECT 1) AS x FROM a", "a subquery in a column is not supported"),
    ("SELECT id FROM a WHERE id IN (SELECT id FROM b)", "a subquery in WHERE is not supported"),
    ("SELECT (ROW_NUMBER() OVER()) AS id FROM a", "a window function in a column is not supported"),
    ("SELECT id, COUNT(*) AS n FROM a", "COUNT() without GROUP BY is not supported"),
    ("SELECT b AS id, COUNT(DISTINCT c) AS n FROM a GROUP BY b", "COUNT(DISTINCT ...) is not supported"),
    ("SELECT b AS id, SUM(*) AS n FROM a GROUP BY b", "SUM(*) is not supported"),
    ("SELECT b AS id, c FROM a GROUP BY b", "the column 'c' neither a GROUP BY column"),
    ("SELECT b AS id, b || c AS bc FROM a GROUP BY b", "the column 'bc' neither a GROUP BY column"),
    ("SELECT b AS id FROM a GROUP BY LOWER(b)", "GROUP BY an expression (group by columns) is not supported"),
    ("SELECT a.id FROM a LEFT JOIN b ON b.id = a.rel GROUP BY b.x", "GROUP BY a joined column is not supported"),
    ("SELECT COUNT(*) AS id FROM a GROUP BY b", "an aggregate as the id"),
    ("SELECT title AS id FROM a", "an id other than the source's id"),
    ("SELECT id, DATE('now') AS d FROM a", "in a column is not supported"),
    ("SELECT id, title || 'x' FROM a", "needs an alias"),
    ("SELECT id, title AS t, total AS T FROM a", "duplicated column name 'T'"),
    ("SELECT id, z.title AS t FROM a", "no such table alias: z"),
    ("SELECT id FROM main.a", "a schema-qualified table is not supported"),
    ("SELECT id FROM a WHERE " + " OR ".join(["id = 'x'"] * 400), "expression nodes"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_each_construct_outside_the_subset_is_refused_by_name(text: str, message: str) -> None:
    # Given a query outside the subset, When parsed, Then ViewQueryError names the construct
    with pytest.raises(ViewQueryError) as raised:
        parse_view_query(text)
    assert message in str(raised.value)


def test_an_over_long_query_is_refused_before_parsing() -> None:
    with pytest.raises(ViewQueryError, match="longer than"):
        parse_view_query("SELECT id FROM a WHERE title = '" + "x" * 6000 + "'")
