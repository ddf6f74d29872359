"""Reading records through saved views: grid merges, kanban stacks and their paging, calendar windows, gallery
covers, forms, the collection's listRule under every view, and what an indexed view costs (LB_DEBUG_QUERY)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, Api, unique
from tests.support.records_world import rid

# (title, status, rank, public)
CARDS = [("a", "todo", 3, True), ("b", "todo", 1, True), ("c", "todo", 2, True), ("d", "todo", 5, False),
         ("e", "doing", 2, True), ("f", "doing", 1, True), ("g", "done", 1, True), ("h", "", 1, True),
         ("i", "", 2, False)]


BUDGET = 60
MANY = 80


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def debug_stack(stack: InProcessStack) -> Iterator[InProcessStack]:
    with stack.configured(LB_DEBUG_QUERY="1", LB_BATCH_ENABLED="1", LB_BATCH_MAX_REQUESTS="100",
                          LB_QUERY_BUDGET=str(BUDGET)):
        yield stack


@pytest.fixture(scope="module")
def api(debug_stack: InProcessStack) -> Api:
    client = Api(debug_stack.url).sign_in_superuser()
    client.sign_up_user("user")
    return client


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    # Given people, and tasks indexed on status whose listRule shows public ones only, seeded as CARDS
    people = api.create_collection({"name": unique("people"), "type": "base", "listRule": "", "viewRule": "",
                                    "fields": [{"name": "name", "type": "text"}]})
    ann = api.create_record(people["name"], {"name": "ann"})
    bob = api.create_record(people["name"], {"name": "bob"})
    name = unique("tasks")
    tasks = api.create_collection({
        "name": name, "type": "base", "listRule": "public = true", "viewRule": "public = true",
        "updateRule": "", "fields": [
            {"name": "title", "type": "text"},
            {"name": "status", "type": "select", "values": ["todo", "doing", "done"]},
            {"name": "rank", "type": "number"}, {"name": "public", "type": "bool"},
            {"name": "owner", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
            {"name": "due", "type": "date"}, {"name": "ends", "type": "date"},
            {"name": "cover", "type": "file", "maxSelect": 2}],
        "indexes": [f"CREATE INDEX idx_{name}_status ON {name} (status)"]})
    for n, (title, status, rank, public) in enumerate(CARDS):
        api.create_record(name, {"id": rid("card", n), "title": title, "status": status, "rank": rank,
                                 "public": public, "owner": ann["id"] if n % 2 else (bob["id"] if n < 4 else "")})
    api.wait_total(name, len(CARDS))  # an unfiltered total is the collection's counter, kept by the stream
    return {"tasks": tasks, "people": people, "ann": ann, "bob": bob}


def make_view(api: Api, world: dict[str, Any], **body: Any) -> dict[str, Any]:
    return api.create_record("_views", {"collection": world["tasks"]["id"], "name": "v", "viewRule": "", **body})


def read(api: Api, world: dict[str, Any], view: dict[str, Any], role: str = "superuser",
         status: int = 200, **params: Any) -> Any:
    return api.ok("GET", f"/api/collections/{world['tasks']['name']}/views/{view['id']}/records", role=role,
                  params=params, status=status)


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for item in items]


def test_a_grid_ands_the_filters_puts_the_request_sort_first_and_intersects_the_fields(api: Api, world: Any) -> None:
    # Given a grid showing title and rank of records ranked 2 or more, sorted by title
    grid = make_view(api, world, type="grid", filter="rank >= 2", sort="title", fields=["title", "rank"])
    # When it is read with the request's own filter, sort and fields
    page = read(api, world, grid, filter="status = 'todo' || status = 'doing'", sort="-rank", fields="title,status")
    # Then both filters hold, the request's sort comes first, and only visible requested fields are answered
    assert titles(page["items"]) == ["d", "a", "c", "e"]
    assert all(set(item) == {"title"} for item in page["items"])
    assert (page["page"], page["perPage"], page["totalItems"], page["totalPages"]) == (1, 30, 4, 1)
    # ties on the request's sort fall back to the view's; without fields the view's visible fields are answered
    tied = read(api, world, grid, sort="status")
    assert titles(tied["items"]) == ["i", "e", "a", "c", "d"] and set(tied["items"][0]) == {"title", "rank"}
    assert read(api, world, grid, fields="status", status=400)["data"]["fields"]


def test_expand_is_kept_under_the_visible_fields(api: Api, world: Any) -> None:
    grid = make_view(api, world, type="grid", filter="title = 'b'", fields=["title"])
    item = read(api, world, grid, expand="owner")["items"][0]
    assert set(item) == {"title", "expand"} and item["expand"]["owner"]["name"] == "ann"
    named = read(api, world, grid, expand="owner", fields="title,expand.owner.name")["items"][0]
    assert named == {"title": "b", "expand": {"owner": {"name": "ann"}}}


def test_the_collections_list_rule_still_applies_under_a_view(api: Api, world: Any) -> None:
    listing = make_view(api, world, type="list", sort="title")
    # a user sees only the public records the listRule shows, a guest too
    assert titles(read(api, world, listing, role="user")["items"]) == ["a", "b", "c", "e", "f", "g", "h"]
    assert read(api, world, listing, role=GUEST)["totalItems"] == 7
    assert read(api, world, listing)["totalItems"] == len(CARDS)
    # a view for superusers only is a 404 to the others, and so is a view read under another collection
    hidden = make_view(api, world, type="grid", viewRule=None)
    assert read(api, world, hidden, role="user", status=404)["status"] == 404
    other = api.ok("GET", f"/api/collections/{world['people']['name']}/views/{listing['id']}/records", status=404)
    assert other["status"] == 404
    assert api.ok("GET", f"/api/collections/{world['tasks']['name']}/views/nope/records", status=404)


def test_a_kanban_answers_one_stack_per_option_with_counts_ranked_and_pages_one_stack(api: Api, world: Any) -> None:
    board = make_view(api, world, type="kanban", sort="title", options={"stackField": "status", "rankField": "rank"})
    # When the board is read two cards a stack
    answer = read(api, world, board, perPage=2)
    stacks = {stack["value"]: stack for stack in answer["stacks"]}
    # Then there is a stack per option and one for no value, in order, each with its count and ranked first page
    assert [stack["value"] for stack in answer["stacks"]] == ["todo", "doing", "done", ""]
    assert {value: stack["count"] for value, stack in stacks.items()} == {"todo": 4, "doing": 2, "done": 1, "": 2}
    assert titles(stacks["todo"]["items"]) == ["b", "c"] and stacks["todo"]["totalPages"] == 2
    # the next page of one stack
    more = read(api, world, board, perPage=2, stack="todo", page=2)
    assert [(s["value"], titles(s["items"])) for s in more["stacks"]] == [("todo", ["a", "d"])]
    # a user's stacks count only what the listRule shows
    mine = {s["value"]: s["count"] for s in read(api, world, board, role="user")["stacks"]}
    assert mine == {"todo": 3, "doing": 2, "done": 1, "": 1}
    assert read(api, world, board, stack="nope", status=400)["data"]["stack"]


def test_moving_a_card_is_an_update_and_the_stacks_follow(api: Api, world: Any) -> None:
    board = make_view(api, world, type="kanban", options={"stackField": "status", "rankField": "rank"})
    card = api.create_record(world["tasks"]["name"], {"title": "moving", "status": "todo", "rank": 0,
                                                      "public": True})
    api.ok("PATCH", f"/api/collections/{world['tasks']['name']}/records/{card['id']}",
           json={"status": "done", "rank": 0})
    stacks = {s["value"]: s for s in read(api, world, board)["stacks"]}
    assert titles(stacks["done"]["items"])[0] == "moving" and "moving" not in titles(stacks["todo"]["items"])
    api.ok("DELETE", f"/api/collections/{world['tasks']['name']}/records/{card['id']}", status=204)


def test_a_kanban_by_relation_has_a_stack_per_linked_record(api: Api, world: Any) -> None:
    board = make_view(api, world, type="kanban", options={"stackField": "owner"})
    stacks = read(api, world, board)["stacks"]
    by_value = {s["value"]: s["count"] for s in stacks}
    assert by_value == {world["ann"]["id"]: 4, world["bob"]["id"]: 2, "": 3}
    assert {s["record"]["name"] for s in stacks if s["value"]} == {"ann", "bob"}


def test_an_indexed_kanban_costs_an_indexed_page_per_stack(api: Api, world: Any) -> None:
    board = make_view(api, world, type="kanban", options={"stackField": "status"})
    response = api.request("GET", f"/api/collections/{world['tasks']['name']}/views/{board['id']}/records",
                           params={"perPage": 2})
    plans = response.headers["x-lb-plan"].split(" | ")
    # one indexed list per option stack (the empty-value stack too), and about a page each read
    assert len(plans) == 4 and sum("idx_" in p for p in plans) >= 3, plans
    assert int(response.headers["x-lb-items-read"]) <= 4 * (2 + 2) + 1


def test_over_many_records_an_indexed_kanban_reads_pages_and_an_unindexed_one_hits_the_budget(api: Api) -> None:
    # Given more records than the query budget, with one select field indexed and one not
    name = unique("deals")
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "stage", "type": "select", "values": ["lead", "won"]},
        {"name": "size", "type": "select", "values": ["s", "l"]}],
        "indexes": [f"CREATE INDEX idx_{name}_stage ON {name} (stage)"]})
    api.ok("POST", "/api/batch", json={"requests": [
        {"method": "POST", "url": f"/api/collections/{name}/records",
         "body": {"stage": "won" if n % 4 == 0 else "lead", "size": "l" if n % 2 else "s"}} for n in range(MANY)]})
    api.wait_total(name, MANY)  # the stream has written the collection's counters, the index partitions' too
    views = {field: api.create_record("_views", {"collection": name, "name": field, "type": "kanban", "viewRule": "",
                                                 "options": {"stackField": field}}) for field in ("stage", "size")}
    path = f"/api/collections/{name}/views/{{}}/records"
    # When a user reads the board stacked by the indexed field, Then each stack is an indexed page
    indexed = api.request("GET", path.format(views["stage"]["id"]), role="user", params={"perPage": 3})
    assert indexed.status_code == 200, indexed.text
    assert [s["count"] for s in indexed.json()["stacks"]] == [MANY - MANY // 4, MANY // 4, 0]
    assert all("index" in plan for plan in indexed.headers["x-lb-plan"].split(" | "))
    # whose count is its index partition's counter: about a page and a counter per stack, not the 80 records
    assert int(indexed.headers["x-lb-items-read"]) <= 3 * (3 + 2) + 1
    # and the board stacked by the unindexed field is the list's 400 advising an index
    unindexed = api.request("GET", path.format(views["size"]["id"]), role="user", params={"perPage": 3})
    assert unindexed.status_code == 400 and "index" in unindexed.json()["message"], unindexed.text


def test_a_calendar_answers_what_overlaps_a_half_open_window(api: Api, world: Any) -> None:
    name = world["tasks"]["name"]
    spans = {"before": ("2026-01-01 09:00:00.000Z", "2026-01-01 10:00:00.000Z"),  # ends at the start: out
             "across": ("2026-01-01 09:00:00.000Z", "2026-01-01 10:00:01.000Z"),
             "at-start": ("2026-01-01 10:00:00.000Z", ""), "inside": ("2026-01-01 12:00:00.000Z", ""),
             "at-end": ("2026-01-02 10:00:00.000Z", ""),  # starts at the end: out
             "long": ("2025-12-01 00:00:00.000Z", "2026-02-01 00:00:00.000Z")}
    for title, (due, ends) in spans.items():
        api.create_record(name, {"title": title, "due": due, "ends": ends, "public": True})
    calendar = make_view(api, world, type="calendar", options={"dateField": "due", "endField": "ends"})
    window = {"start": "2026-01-01 10:00:00.000Z", "end": "2026-01-02 10:00:00.000Z"}
    page = read(api, world, calendar, **window)
    assert titles(page["items"]) == ["long", "across", "at-start", "inside"]  # by start date
    assert (page["start"], page["end"]) == (window["start"], window["end"])
    instants = make_view(api, world, type="calendar", options={"dateField": "due"})
    assert titles(read(api, world, instants, **window)["items"]) == ["at-start", "inside"]
    for bad in ({"end": window["end"]}, {"start": "nope", "end": window["end"]},
                {"start": window["end"], "end": window["start"]},
                {"start": "2026-01-01 00:00:00.000Z", "end": "2027-01-03 00:00:00.000Z"}):
        assert set(read(api, world, calendar, status=400, **bad)["data"]) & {"start", "end"}


def test_a_gallery_answers_each_records_cover_thumbnail_url(api: Api, world: Any) -> None:
    name = world["tasks"]["name"]
    pictured = api.ok("POST", f"/api/collections/{name}/records", data={"title": "pic", "public": "true"},
                      files=[("cover", ("a.png", _png())), ("cover", ("b.png", _png()))])
    gallery = make_view(api, world, type="gallery", fields=["title"], options={"coverField": "cover"})
    page = read(api, world, gallery, filter=f"id = '{pictured['id']}' || title = 'a'")
    covers = page["covers"]
    url = f"/api/files/{world['tasks']['id']}/{pictured['id']}/{pictured['cover'][0]}?thumb=100x100"
    assert covers == {pictured["id"]: url, rid("card", 0): ""} and page["coverProtected"] is False
    assert all(set(item) == {"title"} for item in page["items"])  # the cover and id were read, not shown
    thumb = api.request("GET", url, role=GUEST)
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")


def test_a_form_view_answers_its_definition(api: Api, world: Any) -> None:
    form = make_view(api, world, type="form", options={"form": {"fields": [{"name": "title", "label": "Title"}]}})
    answer = read(api, world, form, role=GUEST)
    assert answer == {"view": {"id": form["id"], "name": "v", "type": "form"},
                      "form": {"fields": [{"name": "title", "label": "Title"}]}}
