"""Backup names as PocketBase forms and checks them, and which stream changes are a restore's own writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.backups.marks import is_restore_write
from shared.backups.names import generated_name, is_safe_key, name_error, snake_case, stored_upload_name

MOMENT = datetime(2026, 12, 1, 13, 50, 25, tzinfo=UTC)


@pytest.mark.parametrize(("app", "expected"), [
    ("Acme", "pb_backup_acme_20261201135025.zip"),
    ("My App", "pb_backup_my_app_20261201135025.zip"),
    ("myCoolApp!", "pb_backup_my_cool_app_20261201135025.zip"),
])
def test_a_backup_without_a_name_is_named_as_pocketbase_names_it(app: str, expected: str) -> None:
    # Given an app name, When a name is generated, Then it is PocketBase's
    assert generated_name(app, now=MOMENT) == expected


def test_auto_backups_carry_the_auto_prefix_and_a_cut_app_name() -> None:
    # Given a very long app name, When an auto backup is named, Then the app part is cut to 50 characters
    name = generated_name("x" * 80, prefix="@auto_pb_backup_", now=MOMENT)
    assert name == "@auto_pb_backup_" + "x" * 50 + "_20261201135025.zip"


@pytest.mark.parametrize(("name", "code"), [
    ("abc.zip", None), ("a-b_1.zip", None),
    ("bad name.zip", "validation_match_invalid"), ("abc", "validation_match_invalid"),
    ("ABC.zip", "validation_match_invalid"), ("@auto.zip", "validation_match_invalid"),
    ("a" * 200 + ".zip", "validation_length_out_of_range"),
])
def test_requested_names_are_checked_as_pocketbase_checks_them(name: str, code: str | None) -> None:
    # Given a requested name, When it is checked, Then PocketBase's code (or none) comes back
    error = name_error(name)
    assert (error or {}).get("code") == code


@pytest.mark.parametrize(("key", "safe"), [
    ("Bad Name.zip", True), ("a.zip", True), ("../x.zip", False), ("a/b.zip", False), (".staging", False),
    ("", False), ("..", False),
])
def test_only_one_top_level_segment_may_name_an_archive(key: str, safe: bool) -> None:
    assert is_safe_key(key) is safe


def test_an_uploads_stored_name_is_snake_cased_with_a_random_suffix() -> None:
    # Given a short name, When PocketBase's stored name is formed, Then it is padded and suffixed
    name = stored_upload_name("g.zip")
    stem, ext = name.rsplit(".", 1)
    assert ext == "zip" and stem.startswith("g") and len(stem) == 1 + 10 + 1 + 10
    assert snake_case("My Backup File") == "my_backup_file"


@pytest.mark.parametrize(("new", "old", "restore"), [
    ({"rs": "r1#a"}, None, True),  # the restore created the item
    ({"rs": "r1#b"}, {"rs": "r1#a"}, True),  # a rerun of the step: a new nonce
    ({"rs": "r2#a"}, {"title": "x"}, True),  # the restore replaced an API-written item
    ({"title": "y"}, {"rs": "r1#a"}, False),  # the API rewrote a restored record whole
    ({"rs": "r1#a", "title": "y"}, {"rs": "r1#a"}, False),  # an update that kept the mark
    (None, {"rs": "del#x", "rsd": True}, True),  # the restore's delete
    (None, {"rs": "r1#a"}, False),  # the API deleted a restored record
    ({"title": "z"}, None, False),  # an ordinary create
])
def test_a_change_is_the_restores_own_exactly_when_it_set_the_mark(
        new: dict[str, object] | None, old: dict[str, object] | None, restore: bool) -> None:
    # Given a change's images, When it is classified, Then only the restore's own writes are
    assert is_restore_write(new, old) is restore
