"""Parsing and building PocketBase's CREATE INDEX strings."""

from __future__ import annotations

import pytest

from shared.collections.indexes import (
    IndexColumn,
    IndexSpec,
    InvalidIndexError,
    build_index,
    find_single_column_unique_index,
    parse_index,
)

PARSE_CASES = [
    ("unique with where",
     "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''",
     IndexSpec(name="idx_email__pb_users_auth_", unique=True, columns=(IndexColumn("email"),),
               where="`email` != ''", table="users")),
    ("plain, lower case, unquoted",
     "create index idx_a on posts (title)",
     IndexSpec(name="idx_a", columns=(IndexColumn("title"),), table="posts")),
    ("if not exists, sort and collate",
     'CREATE INDEX IF NOT EXISTS "idx_b" ON "posts" (a DESC, b COLLATE NOCASE)',
     IndexSpec(name="idx_b", if_not_exists=True, table="posts",
               columns=(IndexColumn("a", descending=True, explicit_sort=True), IndexColumn("b", collate="NOCASE")))),
    ("expression column",
     "CREATE INDEX idx_c ON posts (lower(title), created)",
     IndexSpec(name="idx_c", table="posts", columns=(IndexColumn("lower(title)"), IndexColumn("created")))),
]


@pytest.mark.parametrize(("name", "raw", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_index(name: str, raw: str, expected: IndexSpec) -> None:
    assert parse_index(raw) == expected


@pytest.mark.parametrize("raw", [
    "CREATE UNIQUE INDEX `idx_email` ON `users` (`email`) WHERE `email` != ''",
    "CREATE INDEX `idx_a` ON `posts` (\n  `title`,\n  `created` DESC\n)",
    "CREATE INDEX IF NOT EXISTS `idx_b` ON `posts` (`b` COLLATE NOCASE ASC)",
])
def test_build_round_trips_canonical_strings(raw: str) -> None:
    assert build_index(parse_index(raw)) == raw


def test_build_canonicalises() -> None:
    assert build_index(parse_index("create unique index x on t (a, b)")) == (
        "CREATE UNIQUE INDEX `x` ON `t` (\n  `a`,\n  `b`\n)")


@pytest.mark.parametrize("raw", ["", "CREATE INDEX ON t (a)", "CREATE INDEX x ON t ()", "DROP TABLE x"])
def test_invalid_index_is_a_400_on_indexes(raw: str) -> None:
    with pytest.raises(InvalidIndexError) as caught:
        parse_index(raw)
    assert caught.value.status == 400
    assert caught.value.data["indexes"]["code"] == "validation_invalid_index_expression"


def test_find_single_column_unique_index() -> None:
    indexes = ["CREATE INDEX a ON t (email)", "CREATE UNIQUE INDEX b ON t (email, name)",
               "CREATE UNIQUE INDEX c ON t (`Email`) WHERE x"]
    found = find_single_column_unique_index(indexes, "email")
    assert found is not None and found.name == "c"
    assert find_single_column_unique_index(indexes, "name") is None
