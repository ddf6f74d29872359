"""Record events built from stream changes: the superuser's view of the record, changed fields, actor, stable ids."""

from __future__ import annotations

import json
from typing import Any

from shared.changes.model import RecordChange
from shared.changes.record_events import record_envelope, record_envelopes
from shared.collections.model import Collection
from shared.collections.system import otps_collection, users_collection
from shared.events.bus import InMemoryPublisher
from shared.events.envelope import INLINE_BODY_MAX, InMemoryPayloadStore, payload_of
from shared.records.actor import ACTOR_ATTR, DELETING_ATTR, actor_of, encode_actor
from shared.records.context import AuthState, RequestContext
from shared.records.model import StoredRecord
from shared.records.validation import record_to_json

USERS = users_collection()


def fid(name: str, collection: Collection = USERS) -> str:
    field = collection.field_by_name(name)
    assert field is not None
    return field.id


def present(collection: Collection, record: StoredRecord) -> dict[str, Any]:
    return record_to_json(collection, record.data, can_see_hidden=True, show_email=True)


def user_image(name: str, *, version: int = 1, stamp: dict[str, str] | None = None,
               deleting: bool = False) -> dict[str, Any]:
    image: dict[str, Any] = {"pk": f"r#{USERS.id}#1", "sk": "u1", "c": USERS.id, "v": version, "d": {
        fid("id"): "u1", fid("name"): name, fid("email"): "ann@example.com", fid("password"): "$2a$hash",
        fid("tokenKey"): "secret-token-key"}}
    if stamp:
        image[ACTOR_ATTR] = encode_actor(stamp)
    if deleting:
        image[DELETING_ATTR] = 1
    return image


def change(action: str, old: dict[str, Any] | None, new: dict[str, Any] | None, seq: str = "100",
           event_id: str = "e-1", collection_id: str = USERS.id) -> RecordChange:
    return RecordChange(action=action, collection_id=collection_id, record_id="u1", sequence_number=seq,  # type: ignore[arg-type]
                        write_shard=1, old_image=old, new_image=new, event_id=event_id, changed_at=1_796_140_000.5)


def impersonating_request() -> RequestContext:
    user = StoredRecord(USERS.id, "u1", {})
    return RequestContext(auth=AuthState(user, USERS, impersonator_id="su1"), ip="10.1.2.3",
                          user_agent="curl/8", request_id="req-9")


def test_an_update_carries_the_record_as_a_superuser_sees_it_and_its_changed_fields() -> None:
    # Given an update of a user's name, stamped by an impersonating superuser's request
    stamp = actor_of(impersonating_request())
    update = change("update", user_image("Ann"), user_image("Anna", version=2, stamp=stamp))
    # When its envelope is built
    envelope = record_envelope(update, USERS, present)
    # Then it is a record.updated event with the record (no password, no tokenKey) and the changed field
    assert envelope.type == "record.updated" and envelope.subject == "u1" and envelope.sequence == "100"
    record = envelope.data["record"]  # type: ignore[index]
    assert record["name"] == "Anna" and record["email"] == "ann@example.com"
    assert "password" not in record and "tokenKey" not in record
    assert envelope.data["changedFields"] == ["name"]  # type: ignore[index]
    # And the actor is the impersonated user, naming the superuser, the address and the request
    assert envelope.actor is not None
    assert (envelope.actor.kind, envelope.actor.record_id, envelope.actor.impersonator_id) == (
        "impersonator", "u1", "su1")
    assert (envelope.actor.ip, envelope.actor.user_agent, envelope.actor.request_id) == ("10.1.2.3", "curl/8", "req-9")
    assert envelope.time == "2026-12-01T15:46:40.500Z"


def test_the_id_is_stable_across_redeliveries_and_differs_between_changes() -> None:
    # Given the same stream record delivered twice, and another one
    first = record_envelope(change("create", None, user_image("Ann")), USERS, present)
    again = record_envelope(change("create", None, user_image("Ann")), USERS, present)
    other = record_envelope(change("create", None, user_image("Ann"), event_id="e-2"), USERS, present)
    # Then the redelivery has the same id, the other change another
    assert first.id == again.id != other.id


def test_a_delete_is_attributed_to_its_stamp_only_when_the_delete_itself_stamped_it() -> None:
    # Given a delete whose old image carries the delete's stamp, and one whose image carries an older write's
    superuser = {"kind": "superuser", "recordId": "su1", "collectionName": "_superusers"}
    stamped = change("delete", user_image("Ann", stamp=superuser, deleting=True), None)
    unstamped = change("delete", user_image("Ann", stamp=superuser), None)
    # Then the first names the superuser, the second (a truncation, say) the system
    assert record_envelope(stamped, USERS, present).actor.kind == "superuser"  # type: ignore[union-attr]
    assert record_envelope(unstamped, USERS, present).actor.kind == "system"  # type: ignore[union-attr]
    assert record_envelope(stamped, USERS, present).data["record"]["name"] == "Ann"  # type: ignore[index]


def test_system_collections_and_unknown_collections_publish_nothing() -> None:
    # Given changes of a system collection (_otps), of a deleted collection and of users
    otps = otps_collection()
    catalog = {USERS.id: USERS, otps.id: otps}
    changes = [change("create", None, user_image("a"), collection_id=otps.id),
               change("create", None, user_image("b"), collection_id="pbc_gone"),
               change("create", None, user_image("c"))]
    # When the batch's envelopes are built
    pairs = record_envelopes(changes, catalog.get, present)
    # Then only the users change is an event
    assert [c.collection_id for c, _ in pairs] == [USERS.id]


def test_a_body_over_the_inline_cap_travels_by_reference_and_resolves() -> None:
    # Given a record whose name alone is 200 KB
    big = record_envelope(change("create", None, user_image("x" * (INLINE_BODY_MAX + 1))), USERS, present)
    store = InMemoryPayloadStore()
    publisher = InMemoryPublisher(store)
    # When it is published
    publisher.publish([big])
    # Then the envelope carries a reference, not the body, and the body resolves to the record
    sent = publisher.published[0]
    assert sent.data is None and sent.payload_ref
    assert len(sent.model_dump_json(by_alias=True)) < 2048
    assert payload_of(sent, store)["record"]["name"] == "x" * (INLINE_BODY_MAX + 1)  # type: ignore[index]
    assert json.loads(store.get(sent.payload_ref)) == big.data


def test_an_update_that_changed_no_value_is_no_event() -> None:
    # Given an index backfill's rewrite: a new version, the same values
    rewrite = change("update", user_image("Ann"), user_image("Ann", version=2))
    # Then it publishes nothing
    assert record_envelopes([rewrite], {USERS.id: USERS}.get, present) == []
