"""The actor stamp of a write made with an API token names the token, through to the event envelope and audit."""

from __future__ import annotations

import json

from shared.audit.entries import audit_entry
from shared.auth.api_tokens import ApiTokenGrant
from shared.changes.model import RecordChange
from shared.changes.record_events import actor_of_change
from shared.collections.system import users_collection
from shared.records.actor import ACTOR_ATTR, actor_of, encode_actor
from shared.records.context import AuthState, RequestContext
from shared.records.model import StoredRecord

USERS = users_collection()
OWNER = StoredRecord(collection_id=USERS.id, id="owner0000000001", data={}, version=1)


def change_by(request: RequestContext) -> RecordChange:
    """The stream's view of a create whose item carries the request's stamp."""
    name = USERS.field_by_name("name")
    assert name is not None
    image = {"d": {name.id: "Ann"}, "v": 1, ACTOR_ATTR: encode_actor(actor_of(request))}
    return RecordChange(action="create", collection_id=USERS.id, record_id="u1", sequence_number="7",
                        new_image=image, event_id="ev-7", changed_at=1_796_140_000.0)


def test_a_write_with_an_api_token_names_the_owner_and_the_token() -> None:
    # Given a request of the owner made with its API token
    grant = ApiTokenGrant(token_id="tok000000000001", scopes=("users:*",))
    request = RequestContext(method="POST", auth=AuthState(record=OWNER, collection=USERS, grant=grant))
    # When its write reaches the event envelope and the audit log
    change = change_by(request)
    actor = actor_of_change(change)
    entry = audit_entry(change, USERS, now_ms=0).to_api_json()
    # Then both name the owner as an auth record, and the token by its id (never its secret)
    assert (actor.kind, actor.record_id, actor.api_token_id) == ("auth", OWNER.id, "tok000000000001")
    assert actor.model_dump(by_alias=True)["apiTokenId"] == "tok000000000001"
    assert entry["actor"]["id"] == OWNER.id and entry["actor"]["apiTokenId"] == "tok000000000001"


def test_a_write_with_a_session_token_names_no_api_token() -> None:
    # Given the same owner with its ordinary (JWT) auth
    request = RequestContext(method="POST", auth=AuthState(record=OWNER, collection=USERS))
    # When its write is stamped / Then the stamp has no apiTokenId, and the audit entry an empty one
    stamp = actor_of(request)
    assert "apiTokenId" not in stamp and stamp["recordId"] == OWNER.id
    assert audit_entry(change_by(request), USERS, now_ms=0).to_api_json()["actor"]["apiTokenId"] == ""
    assert json.loads(encode_actor(stamp))["kind"] == "auth"
