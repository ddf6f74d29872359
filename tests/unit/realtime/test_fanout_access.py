"""Fan-out access: who receives a change, by rules, filters, the subscriber's auth at event time, and grouping."""

from __future__ import annotations

import pytest

from shared.records.model import RecordWrite
from tests.unit.realtime.fanout_world import FanOutWorld

ALICE, BOB = "alice0000000001", "bob000000000002"


@pytest.fixture
def world() -> FanOutWorld:
    """people (auth) <- notes (owner's only in lists; public ones viewable by id)."""
    w = FanOutWorld()
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "",
                  "fields": [{"name": "nick", "type": "text"}]})
    people = w.collections.get("people").collection
    w.collection({"name": "notes", "type": "base", "listRule": "owner = @request.auth.id",
                  "viewRule": "owner = @request.auth.id || public = true",
                  "fields": [{"name": "title", "type": "text"},
                             {"name": "public", "type": "bool"},
                             {"name": "owner", "type": "relation", "collectionId": people.id, "maxSelect": 1}]})
    w.user("people", "alice", id=ALICE)
    w.user("people", "bob", id=BOB)
    return w


def _note(world: FanOutWorld, title: str, owner: str = ALICE, public: bool = False) -> tuple:
    record = world.record("notes", {"title": title, "owner": owner, "public": public})
    return record, world.change("create", record)


def test_collection_topic_follows_the_list_rule_per_subscriber(world: FanOutWorld) -> None:
    # Given a guest, alice and bob subscribed to every note, and a superuser too
    alice, bob = world.current("people", ALICE), world.current("people", BOB)
    root = world.user("_superusers", "root")
    world.connect("guest", None, "notes/*")
    world.connect("alice", world.auth_of(alice), "notes/*")
    world.connect("bob", world.auth_of(bob), "notes")
    world.connect("root", world.auth_of(root), "notes/*")
    # When alice creates a note
    record, change = _note(world, "mine")
    world.publish(change)
    # Then only its owner and the superuser get it, under the exact string each subscribed
    assert world.events("guest") == [] and world.events("bob") == []
    assert [e["topic"] for e in world.events("alice")] == ["notes/*"]
    event = world.events("root")[0]
    assert event["type"] == "event" and event["data"]["action"] == "create"
    assert event["data"]["record"]["id"] == record.id and event["data"]["record"]["title"] == "mine"


def test_record_topic_follows_the_view_rule(world: FanOutWorld) -> None:
    # Given a public note bob does not own, and bob subscribed to it by id and to the whole collection
    record, _ = _note(world, "open", public=True)
    bob = world.auth_of(world.current("people", BOB))
    world.connect("bob", bob, f"notes/{record.id}", "notes/*")
    # When it is updated
    world.publish(world.change("update", record, old=record))
    # Then bob gets it through the record topic (viewRule) only, not the collection topic (listRule)
    assert [e["topic"] for e in world.events("bob")] == [f"notes/{record.id}"]


def test_filter_option_narrows_what_is_sent(world: FanOutWorld) -> None:
    alice = world.auth_of(world.current("people", ALICE))
    world.connect("alice", alice, 'notes/*?options={"query":{"filter":"title ~ \'urgent\'"}}')
    _, plain = _note(world, "plain")
    _, urgent = _note(world, "urgent call")
    world.publish(plain, urgent)
    assert [e["data"]["record"]["title"] for e in world.events("alice")] == ["urgent call"]


def test_query_and_headers_options_are_what_rules_see(world: FanOutWorld) -> None:
    # Given a rule on @request.query, @request.headers and @request.context
    world.collection({"name": "feed", "type": "base", "fields": [{"name": "t", "type": "text"}],
                      "listRule": "@request.query.k = 'v' && @request.headers.x_token = 'abc' && "
                                  "@request.context = 'realtime'"})
    world.connect("right", None, 'feed?options={"query":{"k":"v"},"headers":{"X-Token":"abc"}}')
    world.connect("wrong", None, 'feed?options={"query":{"k":"w"},"headers":{"X-Token":"abc"}}')
    world.publish(world.change("create", world.record("feed", {"t": "x"})))
    assert len(world.events("right")) == 1 and world.events("wrong") == []


def test_delete_reaches_those_who_could_see_the_record_before(world: FanOutWorld) -> None:
    # Given alice's note, and alice and bob subscribed
    record, _ = _note(world, "to delete")
    world.connect("alice", world.auth_of(world.current("people", ALICE)), "notes/*")
    world.connect("bob", world.auth_of(world.current("people", BOB)), "notes/*")
    # When it is deleted (the stream has only its old image)
    world.publish(world.change("delete", record))
    # Then its owner gets the delete with the record as it was
    (event,) = world.events("alice")
    assert event["data"]["action"] == "delete" and event["data"]["record"]["title"] == "to delete"
    assert world.events("bob") == []


def test_a_rule_changed_after_subscribing_applies(world: FanOutWorld) -> None:
    world.collection({"name": "news", "type": "base", "listRule": "", "fields": [{"name": "t", "type": "text"}]})
    world.connect("guest", None, "news")
    first = world.record("news", {"t": "1"})
    world.publish(world.change("create", first))
    # When a superuser locks the collection (rule null), the next change reaches the guest no more
    stored = world.collections.get("news")
    world.collections.save(stored.model_copy(update={
        "collection": stored.collection.model_copy(update={"list_rule": None})}))
    world.publish(world.change("create", world.record("news", {"t": "2"})))
    assert [e["data"]["record"]["t"] for e in world.events("guest")] == ["1"]


@pytest.mark.parametrize("ended", ["expired", "new token key", "deleted record", "revoked session"])
def test_an_ended_auth_acts_as_a_guest(world: FanOutWorld, ended: str) -> None:
    # Given alice subscribed with an auth that has ended in one of the ways a token ends on HTTP
    alice = world.current("people", ALICE)
    if ended == "expired":
        auth = world.auth_of(alice, expires_in=-1)
    elif ended == "new token key":
        auth = world.auth_of(alice, token_key="the key before a password change")
    elif ended == "revoked session":
        auth = world.auth_of(alice, session_id=world.session(alice, "fam1", revoked=True))
    else:
        auth = world.auth_of(alice)
    world.connect("alice", auth, "notes/*", "people/*")
    _, change = _note(world, "hers")
    if ended == "deleted record":
        world.records.write([RecordWrite(kind="delete", record=alice)])
    # When her note changes
    world.publish(change)
    # Then she is judged as a guest: the owner-only list rule hides it
    assert world.events("alice") == []


def test_a_live_session_keeps_the_auth(world: FanOutWorld) -> None:
    alice = world.current("people", ALICE)
    world.connect("alice", world.auth_of(alice, session_id=world.session(alice, "fam2")), "notes/*")
    _, change = _note(world, "hers")
    world.publish(change)
    assert len(world.events("alice")) == 1


def test_the_auth_records_own_change_is_seen_by_the_next_change(world: FanOutWorld) -> None:
    # Given alice subscribed, and her password changing (a new tokenKey) while a batch is fanned out
    alice = world.current("people", ALICE)
    world.connect("alice", world.auth_of(alice), "notes/*")
    token_key = world.collections.get("people").collection.field_by_name("tokenKey")
    assert token_key is not None
    delivered = world.sender.send

    def send_then_rotate(connection_id: str, message: dict) -> None:
        delivered(connection_id, message)
        world.records.write([RecordWrite(kind="update", record=alice, changed={token_key.id: "rotated"})])

    world.sender.send = send_then_rotate  # type: ignore[method-assign]
    _, before = _note(world, "before")
    _, after = _note(world, "after")
    rotated = world.current("people", ALICE)
    # When the batch holds her note, her record's change, then another note
    world.publish(before, world.change("update", rotated, old=alice), after)
    # Then the note after the key change is judged with the new key: she is a guest for it
    assert [e["data"]["record"]["title"] for e in world.events("alice")] == ["before"]


def test_a_thousand_alike_guests_cost_one_evaluation(world: FanOutWorld) -> None:
    # Given 1,000 guests on the same topic and options, and one with other options
    world.collection({"name": "news", "type": "base", "listRule": "", "fields": [{"name": "t", "type": "text"}]})
    for i in range(1000):
        world.connect(f"g{i}", None, "news/*" if i % 2 else "news")
    world.connect("other", None, 'news?options={"query":{"fields":"id"}}')
    # When one record changes
    report = world.publish(world.change("create", world.record("news", {"t": "x"})))
    # Then two audiences were judged and shaped, and all 1,001 got their event
    assert report.audiences == 2 and report.delivered == 1001
    assert world.events("g0")[0]["topic"] == "news" and world.events("g1")[0]["topic"] == "news/*"
    assert world.events("other")[0]["data"]["record"] == {"id": world.events("g0")[0]["data"]["record"]["id"]}


def test_many_auths_are_checked_together_each_on_its_own_merits(world: FanOutWorld) -> None:
    # Given a collection for signed-in users only, and subscribers whose auths are live or ended in every way
    world.collection({"name": "members", "type": "base", "listRule": "@request.auth.id != ''",
                      "fields": [{"name": "t", "type": "text"}]})
    users = {name: world.user("people", name) for name in ("ok", "session", "expired", "revoked", "rekeyed")}
    auths = {
        "ok": world.auth_of(users["ok"]),
        "session": world.auth_of(users["session"], session_id=world.session(users["session"], "live")),
        "expired": world.auth_of(users["expired"], expires_in=-5),
        "revoked": world.auth_of(users["revoked"], session_id=world.session(users["revoked"], "dead", revoked=True)),
        "rekeyed": world.auth_of(users["rekeyed"], token_key="old"),
    }
    for name, auth in auths.items():
        world.connect(name, auth, "members")
    # When a record changes
    world.publish(world.change("create", world.record("members", {"t": "x"})))
    # Then only the live auths were signed in for it
    assert sorted(name for name in auths if world.events(name)) == ["ok", "session"]


def test_a_filter_that_cannot_run_costs_only_its_own_subscription(world: FanOutWorld) -> None:
    # Given subscriptions whose filter is malformed, or names what only superusers may filter on
    alice = world.auth_of(world.current("people", ALICE))
    world.connect("broken", alice, 'notes?options={"query":{"filter":"title = ("}}')
    world.connect("sneaky", alice, 'notes?options={"query":{"filter":"@collection.people.email ~ \'a\'"}}')
    world.connect("fine", alice, "notes")
    # When alice's note is created
    _, change = _note(world, "hers")
    report = world.publish(change)
    # Then those subscriptions get nothing, the others theirs, and the batch went through
    assert world.events("broken") == [] and world.events("sneaky") == []
    assert len(world.events("fine")) == 1 and report.failed_sequence is None


def test_a_change_is_not_started_without_time_for_it(world: FanOutWorld) -> None:
    # Given a batch of two changes, and an invocation whose time runs short after the first
    world.collection({"name": "news", "type": "base", "listRule": "", "fields": [{"name": "t", "type": "text"}]})
    world.connect("reader", None, "news")
    first = world.change("create", world.record("news", {"t": "1"}))
    second = world.change("create", world.record("news", {"t": "2"}))
    # When it is fanned out with 5 s left once the first change is done (the first is always started)
    report = world.fanout.handle([first, second], lambda: 5.0)
    # Then the first is delivered and the batch is handed back from the second, none of which was sent
    assert [e["data"]["record"]["t"] for e in world.events("reader")] == ["1"]
    assert report.failed_sequence == second.sequence_number
