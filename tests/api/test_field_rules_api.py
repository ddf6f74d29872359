"""Field-level rules over HTTP: readRule hides a field per record in every answer and gives filters, sorts and
`fields=` no oracle; writeRule refuses a write with that field's 400 and writes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, USER_PASSWORD, Api, unique

pytestmark = pytest.mark.api

# `salary` is read by the row's owner only (record-dependent), `grade` by signed-in callers (record-independent)
SALARY_RULE = "owner = @request.auth.id"
GRADE_RULE = "@request.auth.id != ''"


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Api:
    api = Api(stack.url).sign_in_superuser()
    api.sign_up_user("alice")
    api.sign_up_user("bob")
    return api


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, str]:
    """pay (open rules): alice's row (salary 100) and bob's (salary 200); notes -> pay for expands."""
    pay, notes = unique("pay"), unique("notes")
    open_rules = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}
    api.create_collection({"name": pay, "type": "base", **open_rules, "fields": [
        {"name": "title", "type": "text"},
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "salary", "type": "number", "readRule": SALARY_RULE, "writeRule": "@request.auth.id = ''"},
        {"name": "grade", "type": "text", "readRule": GRADE_RULE},
        {"name": "locked", "type": "text", "writeRule": "@request.auth.name = 'alice'"}]})
    pay_id = api.ok("GET", f"/api/collections/{pay}")["id"]
    api.create_collection({"name": notes, "type": "base", **open_rules, "fields": [
        {"name": "text", "type": "text"},
        {"name": "pay", "type": "relation", "collectionId": pay_id, "maxSelect": 1, "readRule": SALARY_RULE
         .replace("owner", "pay.owner")}]})
    alice, bob = api.users["alice"]["id"], api.users["bob"]["id"]
    rows = {who: api.create_record(pay, {"title": who, "owner": uid, "salary": pay_of, "grade": "A"})["id"]
            for who, uid, pay_of in (("alice", alice, 100), ("bob", bob, 200))}
    note = api.create_record(notes, {"text": "n", "pay": rows["alice"]})["id"]
    return {"pay": pay, "notes": notes, "alice_row": rows["alice"], "bob_row": rows["bob"], "note": note}


def _get(api: Api, path: str, role: str, **params: Any) -> Any:
    response = api.request("GET", path, role=role, params=params)
    return response.status_code, response.json()


def _items(api: Api, world: dict[str, str], role: str, **params: Any) -> dict[str, dict[str, Any]]:
    status, page = _get(api, f"/api/collections/{world['pay']}/records", role, **params)
    assert status == 200, page
    return {item["title"]: item for item in page["items"]}


# reading ------------------------------------------------------------------------------------------------------
def test_list_and_view_leave_out_what_the_read_rule_hides(api: Api, world: dict[str, str]) -> None:
    # When alice, a guest and a superuser list the rows, and alice views bob's
    mine = _items(api, world, "alice")
    guest = _items(api, world, GUEST)
    root = _items(api, world, "superuser")
    _, bobs = _get(api, f"/api/collections/{world['pay']}/records/{world['bob_row']}", "alice")
    # Then alice sees her own salary only, and grade (signed in); a guest sees neither; a superuser all
    assert mine["alice"]["salary"] == 100 and "salary" not in mine["bob"]
    assert mine["alice"]["grade"] == mine["bob"]["grade"] == "A"
    assert "salary" not in bobs and bobs["title"] == "bob"
    assert all("salary" not in row and "grade" not in row for row in guest.values())
    assert root["bob"]["salary"] == 200 and root["bob"]["grade"] == "A"


def test_expand_shows_the_related_record_as_its_own_read_rules_allow(api: Api, world: dict[str, str]) -> None:
    path = f"/api/collections/{world['notes']}/records/{world['note']}"
    _, by_alice = _get(api, path, "alice", expand="pay")
    _, by_bob = _get(api, path, "bob", expand="pay")
    # Then alice (owner of the related row) gets the relation, expanded with her salary; bob gets neither the
    # relation id nor its expansion
    assert by_alice["pay"] == world["alice_row"] and by_alice["expand"]["pay"]["salary"] == 100
    assert "pay" not in by_bob and by_bob["expand"] == {}
    # and a back-relation never reaches a note through a link the caller may not read
    _, row = _get(api, f"/api/collections/{world['pay']}/records/{world['alice_row']}", "bob",
                  expand=f"{world['notes']}_via_pay")
    assert row["expand"] == {}


def test_batch_answers_leave_out_hidden_fields(api: Api, world: dict[str, str]) -> None:
    response = api.request("POST", "/api/batch", role="bob", json={"requests": [
        {"method": "PATCH", "url": f"/api/collections/{world['pay']}/records/{world['alice_row']}",
         "body": {"title": "alice"}}]})
    assert response.status_code == 200, response.text
    body = response.json()[0]["body"]
    assert body["title"] == "alice" and "salary" not in body and body["grade"] == "A"


def test_an_auth_response_leaves_out_what_its_own_read_rule_hides(api: Api) -> None:
    # Given an auth collection whose `level` is readable only by superusers
    crew = unique("crew")
    api.create_collection({"name": crew, "type": "auth", "listRule": "", "viewRule": "", "fields": [
        {"name": "level", "type": "text", "readRule": "@request.auth.collectionName = '_superusers'"}]})
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    api.create_record(crew, {"email": email, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD,
                             "level": "9"})
    # When the member signs in
    signed = api.http.post(f"/api/collections/{crew}/auth-with-password",
                           json={"identity": email, "password": USER_PASSWORD})
    # Then the record in the auth response has no `level`
    assert signed.status_code == 200 and "level" not in signed.json()["record"]


# no oracle ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"filter": "salary = 200"}, {"filter": "salary > 150"}, {"sort": "salary"}, {"sort": "-salary"},
    {"filter": "owner.id != '' && salary = 200"}])
def test_filter_and_sort_on_a_record_dependent_read_rule_give_no_oracle(api: Api, world: dict[str, str],
                                                                         params: dict[str, str]) -> None:
    # Given bob's salary is 200: a filter that matches it, and one that does not, and sorts either way
    counterpart = {k: v.replace("200", "999").replace("150", "9999") for k, v in params.items()}
    # When alice (who may read her own salary, not bob's) sends them
    first = _get(api, f"/api/collections/{world['pay']}/records", "alice", **params)
    second = _get(api, f"/api/collections/{world['pay']}/records", "alice", **counterpart)
    # Then both are refused alike, as a hidden field is: nothing depends on the value
    assert first[0] == second[0] == 400
    assert first[1] == second[1]


def test_a_relation_through_a_hidden_field_and_a_back_relation_are_refused_alike(api: Api, world: dict[str, str]
                                                                                ) -> None:
    notes = f"/api/collections/{world['notes']}/records"
    for value in ("alice", "nobody"):
        status, _ = _get(api, notes, "bob", filter=f"pay.title = '{value}'")
        assert status == 400
    back = f"{world['notes']}_via_pay.text = 'n'"
    assert _get(api, f"/api/collections/{world['pay']}/records", "bob", filter=back)[0] == 400


def test_an_index_order_on_a_read_ruled_column_is_no_oracle_either(api: Api) -> None:
    # Given an index whose second column is read-ruled, which could serve `filter=kind, sort=score` in its order
    ranked = unique("ranked")
    api.create_collection({"name": ranked, "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "kind", "type": "text"}, {"name": "score", "type": "number", "readRule": "kind = 'public'"}],
        "indexes": [f"CREATE INDEX idx_{ranked}_ks ON {ranked} (kind, score)"]})
    for score in (3, 1, 2):
        api.create_record(ranked, {"kind": "secret", "score": score})
    api.wait_index_ready(ranked, f"idx_{ranked}_ks")
    # When a guest sorts the secret rows by score, either way
    path = f"/api/collections/{ranked}/records"
    answers = [_get(api, path, GUEST, filter="kind = 'secret'", sort=order) for order in ("score", "-score")]
    # Then both are refused alike: the index order never stands in for values the guest cannot read
    assert answers[0] == answers[1] and answers[0][0] == 400


def test_fields_parameter_cannot_bring_back_a_hidden_field(api: Api, world: dict[str, str]) -> None:
    rows = _items(api, world, "alice", fields="title,salary,salary:excerpt(3)")
    assert rows["bob"] == {"title": "bob"}


def test_a_record_independent_rule_that_passes_lets_the_field_be_filtered(api: Api, world: dict[str, str]) -> None:
    # grade's rule names only @request.*: a signed-in caller reads every row's grade, so may filter by it
    assert sorted(_items(api, world, "alice", filter="grade = 'A'")) == ["alice", "bob"]
    assert _items(api, world, "alice", filter="grade = 'Z'") == {}
    # a guest fails the rule everywhere: refused whatever the value
    assert _get(api, f"/api/collections/{world['pay']}/records", GUEST, filter="grade = 'A'")[0] == 400
    assert _get(api, f"/api/collections/{world['pay']}/records", GUEST, filter="grade = 'Z'")[0] == 400
    # a superuser filters by anything
    assert sorted(_items(api, world, "superuser", filter="salary >= 100")) == ["alice", "bob"]


# writing ------------------------------------------------------------------------------------------------------
def _forbidden(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["data"] == {field: {"code": "validation_field_write_forbidden",
                                               "message": "You are not allowed to set this field."}}


def test_a_write_rule_refuses_create_and_update_and_nothing_is_written(api: Api, world: dict[str, str]) -> None:
    records = f"/api/collections/{world['pay']}/records"
    # the records themselves, not the unfiltered totalItems: that counter trails the previous tests' writes
    before = len(api.list_records(world["pay"], perPage=500)["items"])
    # When bob creates a row with `locked` (writable by alice only), and updates alice's salary
    _forbidden(api.request("POST", records, role="bob", json={"title": "new", "locked": "x"}), "locked")
    _forbidden(api.request("PATCH", f"{records}/{world['alice_row']}", role="bob", json={"salary": 1}), "salary")
    # Then nothing was written
    assert len(api.list_records(world["pay"], perPage=500)["items"]) == before
    assert api.ok("GET", f"{records}/{world['alice_row']}")["salary"] == 100
    # while alice may set `locked`, and sending a value back unchanged is no write to it
    assert api.request("POST", records, role="alice", json={"title": "ok", "locked": "x"}).status_code == 200
    same = api.request("PATCH", f"{records}/{world['alice_row']}", role="alice", json={"salary": 100})
    assert same.status_code == 200


def test_a_write_rule_refuses_a_multipart_write(api: Api, world: dict[str, str]) -> None:
    response = api.request("POST", f"/api/collections/{world['pay']}/records", role="bob",
                           files={"title": (None, b"m"), "locked": (None, b"x")})
    _forbidden(response, "locked")


def test_a_write_rule_refuses_a_batch_and_the_batch_writes_nothing(api: Api, world: dict[str, str]) -> None:
    records = f"/api/collections/{world['pay']}/records"
    # the records themselves, not the unfiltered totalItems: that counter trails the previous tests' writes
    before = len(api.list_records(world["pay"], perPage=500)["items"])
    response = api.request("POST", "/api/batch", role="bob", json={"requests": [
        {"method": "POST", "url": records, "body": {"title": "first"}},
        {"method": "POST", "url": records, "body": {"title": "second", "locked": "x"}}]})
    assert response.status_code == 400, response.text
    assert "validation_field_write_forbidden" in json.dumps(response.json()["data"])
    assert len(api.list_records(world["pay"], perPage=500)["items"]) == before


# collections --------------------------------------------------------------------------------------------------
def test_a_bad_rule_is_a_400_on_that_option_and_saves_nothing(api: Api) -> None:
    name = unique("badrule")
    response = api.request("POST", "/api/collections", json={"name": name, "type": "base", "fields": [
        {"name": "a", "type": "text", "readRule": "a = ("}]})
    assert response.status_code == 400
    assert response.json()["data"]["fields"]["1"]["readRule"]["code"] == "validation_invalid_rule"
    assert api.request("GET", f"/api/collections/{name}").status_code == 404


def test_rules_appear_in_the_field_json_only_when_set(api: Api, world: dict[str, str]) -> None:
    fields = {f["name"]: f for f in api.ok("GET", f"/api/collections/{world['pay']}")["fields"]}
    assert fields["salary"]["readRule"] == SALARY_RULE and "writeRule" in fields["salary"]
    assert "readRule" not in fields["title"] and "writeRule" not in fields["title"]
