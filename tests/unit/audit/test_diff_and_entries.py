"""Audit entries from stream changes: the diff with old and new values, secrets redacted, the actor, stable ids."""

from __future__ import annotations

from typing import Any

from shared.audit.diff import MAX_VALUE_BYTES, REDACTED, field_changes
from shared.audit.entries import audit_entries, audit_entry
from shared.audit.model import id_epoch_ms
from shared.changes.model import RecordChange
from shared.collections.system import mfas_collection, superusers_collection, users_collection
from shared.records.actor import ACTOR_ATTR, encode_actor

USERS = users_collection()


def fid(name: str) -> str:
    field = USERS.field_by_name(name)
    assert field is not None
    return field.id


def data(**values: Any) -> dict[str, Any]:
    return {fid(k): v for k, v in values.items()}


def test_an_update_lists_changed_fields_with_old_and_new_values_and_redacts_secrets() -> None:
    # Given a user whose name, password hash and tokenKey change
    old = data(name="Ann", password="$2a$old", tokenKey="k1", email="a@example.com")
    new = data(name="Anna", password="$2a$new", tokenKey="k2", email="a@example.com")
    # When the diff is taken
    changes = field_changes(USERS, old, new)
    # Then the unchanged email is absent, the name shows both values, the secrets only that they changed
    assert list(changes) == ["password", "tokenKey", "name"]
    assert (changes["name"].old, changes["name"].new) == ("Ann", "Anna")
    assert (changes["password"].old, changes["password"].new) == (REDACTED, REDACTED)
    assert (changes["tokenKey"].old, changes["tokenKey"].new) == (REDACTED, REDACTED)


def test_a_large_value_is_noted_by_its_size_not_copied() -> None:
    changes = field_changes(USERS, data(name="a"), data(name="x" * (MAX_VALUE_BYTES * 4)))
    assert changes["name"].old == "a"
    assert changes["name"].new == f"[{MAX_VALUE_BYTES * 4 + 2} bytes, not kept]"


def test_create_and_delete_show_one_side_only() -> None:
    created = field_changes(USERS, None, data(name="Ann"))
    deleted = field_changes(USERS, data(name="Ann"), None)
    assert (created["name"].old, created["name"].new) == (None, "Ann")
    assert (deleted["name"].old, deleted["name"].new) == ("Ann", None)


def change(action: str, old: dict[str, Any] | None, new: dict[str, Any] | None, *, collection_id: str = USERS.id,
           event_id: str = "ev-1") -> RecordChange:
    def image(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        stamp = {"kind": "auth", "recordId": "u9", "collectionId": USERS.id, "collectionName": "users",
                 "ip": "10.0.0.7", "userAgent": "ua", "requestId": "r-1"}
        return {"d": values, "v": 1, ACTOR_ATTR: encode_actor(stamp)}

    return RecordChange(action=action, collection_id=collection_id, record_id="u1", sequence_number="42",  # type: ignore[arg-type]
                        old_image=image(old), new_image=image(new), event_id=event_id, changed_at=1_796_140_000.25)


def test_an_entry_names_who_what_when_and_where() -> None:
    # Given an update of a user by another user
    entry = audit_entry(change("update", data(name="Ann"), data(name="Anna")), USERS, now_ms=0)
    # Then the entry says so, at the change's time, with a time-ordered id
    shown = entry.to_api_json()
    assert shown["action"] == "update" and shown["record"] == "u1" and shown["collectionName"] == "users"
    assert shown["actor"] == {"kind": "auth", "id": "u9", "collectionId": USERS.id, "collectionName": "users",
                              "impersonatorId": "", "apiTokenId": ""}
    assert (shown["ip"], shown["userAgent"], shown["requestId"]) == ("10.0.0.7", "ua", "r-1")
    assert shown["changedFields"] == ["name"] and shown["changes"]["name"] == {"old": "Ann", "new": "Anna"}
    assert shown["created"] == "2026-12-01 15:46:40.250Z"
    assert id_epoch_ms(entry.id) == 1_796_140_000_250


def test_entries_are_deterministic_and_skip_unaudited_system_collections() -> None:
    # Given a batch with a users change, an _mfas change and a _superusers change
    mfas, superusers = mfas_collection(), superusers_collection()
    catalog = {c.id: c for c in (USERS, mfas, superusers)}
    batch = [change("create", None, data(name="a")), change("create", None, {}, collection_id=mfas.id),
             change("create", None, {}, collection_id=superusers.id, event_id="ev-3")]
    # When the entries are built twice (a redelivered batch)
    first, again = audit_entries(batch, catalog.get, 0), audit_entries(batch, catalog.get, 0)
    # Then _mfas has none, and the same stream records give the same entries
    assert [e.collection_name for e in first] == ["users", "_superusers"]
    assert first == again


def test_an_update_that_changed_no_value_has_no_entry() -> None:
    rewrite = change("update", data(name="Ann"), data(name="Ann"))
    assert audit_entries([rewrite], {USERS.id: USERS}.get, 0) == []
