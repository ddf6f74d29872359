"""Saved views: the switcher, a kanban made in the UI with a card dragged (and moved by keyboard), grid, calendar
and gallery views, and a public form built in the editor and submitted by a signed-out visitor; checked by the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible
from tests.ui.conftest import new_context
from tests.ui.records_seed import create_tasks, png_bytes, records

PREFIX = "views"
TASKS = f"{PREFIX}_tasks"
TODAY = dt.datetime.now(dt.UTC).date()
DUE = f"{TODAY.isoformat()} 10:00:00.000Z"


@pytest.fixture(scope="module")
def tasks(api: httpx.Client, page: Page, ui_stack: StackProcess) -> dict[str, Any]:
    _, collection = create_tasks(api, PREFIX)
    url = f"/api/collections/{TASKS}/records"
    api.post(url, data={"title": "Write spec", "stage": "todo", "rank": "1", "due": DUE},
             files={"attachment": ("spec.png", png_bytes(), "image/png")}).raise_for_status()
    api.post(url, json={"title": "Ship it", "stage": "todo", "rank": 2}).raise_for_status()
    api.post(url, json={"title": "Review", "stage": "doing", "rank": 1}).raise_for_status()
    page.goto(f"{ui_stack.url}/_/#/collections/{TASKS}/records")
    page.reload()  # the collections list was loaded at sign-in, before the seed
    return collection


def by_title(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {r["title"]: r for r in records(api, TASKS)}


def new_view(page: Page, name: str, kind: str) -> Any:
    page.get_by_role("button", name="+ New view").click()
    dialog = page.get_by_role("dialog", name=f"New view of {TASKS}")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Type").select_option(kind)
    return dialog


def test_a_kanban_made_in_the_ui_moves_cards_by_drag_and_by_keyboard(page: Page, tasks: dict[str, Any],
                                                                      api: httpx.Client,
                                                                      problems: PageProblems) -> None:
    # Given a kanban view created in the dialog, stacked by stage and ordered by rank
    dialog = new_view(page, "Board", "kanban")
    dialog.get_by_label("Stack by").select_option("stage")
    dialog.get_by_label("Card order (rank)").select_option("rank")
    dialog.get_by_role("button", name="Create view").click()
    switcher = page.get_by_role("navigation", name="Views")
    expect(switcher.get_by_role("link", name="Board kanban")).to_have_class("active")
    todo = page.get_by_role("region", name="Stack todo")
    done = page.get_by_role("region", name="Stack done")
    expect(todo.get_by_role("button", name="Write spec")).to_be_visible()
    expect(todo.locator(".kanban-card .card-title")).to_have_text(["Write spec", "Ship it"])
    assert_accessible(page)
    # When a card is dragged to another stack
    todo.locator(".kanban-card", has_text="Write spec").drag_to(done)
    # Then it is there, and the API has the new stage, with a rank that places it
    expect(done.get_by_role("button", name="Write spec")).to_be_visible()
    moved = by_title(api)["Write spec"]
    assert moved["stage"] == "done" and moved["rank"] == 1
    # And the keyboard alternative: the card's Move menu puts it at the end of the chosen stack
    page.get_by_label("Move Ship it to stack").select_option("doing")
    doing = page.get_by_role("region", name="Stack doing")
    expect(doing.locator(".kanban-card .card-title")).to_have_text(["Review", "Ship it"])
    shipped = by_title(api)["Ship it"]
    assert shipped["stage"] == "doing" and shipped["rank"] == 2
    assert problems.csp_violations() == [] and problems.uncaught() == []


def test_a_grid_view_keeps_its_columns_in_the_view(page: Page, tasks: dict[str, Any], api: httpx.Client,
                                                   ui_stack: StackProcess) -> None:
    view = api.post("/api/collections/_views/records", json={
        "collection": tasks["id"], "name": "Points", "type": "grid", "sort": "-points",
        "fields": ["id", "title", "points", "stage"]}).json()
    page.reload()
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Points grid").click()
    table = page.get_by_role("table", name=f"{TASKS} records")
    expect(table.get_by_role("columnheader")).to_have_count(5)  # select, title, points, stage, open
    # hiding a column saves the view's fields
    page.locator("summary", has_text="Columns").click()
    # the grid hides it at once and saves the view behind: wait for that save before reading the view
    with page.expect_response(lambda r: r.request.method == "PATCH" and f"/_views/records/{view['id']}" in r.url):
        page.get_by_role("group", name="Shown columns").get_by_label("stage").uncheck()
    expect(table.get_by_role("columnheader", name="stage")).to_have_count(0)
    saved = api.get(f"/api/collections/_views/records/{view['id']}").json()
    assert saved["fields"] == ["id", "title", "points"]
    assert_accessible(page)


def test_calendar_and_gallery_views_show_their_records(page: Page, tasks: dict[str, Any], api: httpx.Client) -> None:
    for name, kind, options in (("Due", "calendar", {"dateField": "due"}),
                                ("Covers", "gallery", {"coverField": "attachment"})):
        api.post("/api/collections/_views/records", json={"collection": tasks["id"], "name": name, "type": kind,
                                                          "options": options}).raise_for_status()
    page.reload()
    views = page.get_by_role("navigation", name="Views")
    # the month holds the record on its day; the week too
    views.get_by_role("link", name="Due calendar").click()
    day = page.get_by_role("gridcell", name=TODAY.isoformat())
    expect(day.get_by_role("button", name="Write spec")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Week").click()
    expect(page.get_by_role("gridcell")).to_have_count(7)
    event = page.get_by_role("gridcell", name=TODAY.isoformat()).get_by_role("button", name="Write spec")
    expect(event).to_be_visible()
    # a card opens the record's side panel
    event.click()
    expect(page.get_by_role("complementary", name="Write spec")).to_be_visible()
    page.get_by_role("button", name="Close record panel").click()
    # the gallery shows the cover thumbnail
    views.get_by_role("link", name="Covers gallery").click()
    cover = page.get_by_role("img", name="Cover of Write spec")
    expect(cover).to_have_attribute("src", "/api/files/" + tasks["id"] + "/" + by_title(api)["Write spec"]["id"]
                                    + "/" + by_title(api)["Write spec"]["attachment"] + "?thumb=100x100")
    assert_accessible(page)


def test_a_public_form_built_in_the_editor_is_submitted_by_a_signed_out_visitor(
        page: Page, tasks: dict[str, Any], api: httpx.Client, browser: Browser, ui_stack: StackProcess) -> None:
    # Given a form view made in the UI, asking for the title (relabelled, required) and points, stage set hidden
    dialog = new_view(page, "Intake", "form")
    dialog.get_by_label("Public address (slug)").fill("ui-intake")
    dialog.get_by_role("button", name="Create view").click()
    editor = page.get_by_role("form", name="Form definition")
    for name in ("stage", "rank", "owner", "attachment", "due", "meta"):
        editor.get_by_label(f"Ask for {name}").uncheck()
    editor.get_by_label("Label of title").fill("Task title")
    editor.get_by_label("title required").check()
    editor.get_by_role("button", name="+ Hidden value").click()
    editor.get_by_label("Hidden value 1 field").select_option("stage")
    editor.get_by_label("Hidden value 1 value").fill("todo")
    editor.get_by_label("Success message").fill("Got it, thanks!")
    editor.get_by_role("button", name="Save form").click()
    # Then the shareable link and the live preview, rendered from the public definition
    link = page.get_by_label("Shareable link")
    expect(link).to_have_value(f"{ui_stack.url}/_/#/forms/ui-intake")
    preview = page.locator(".form-preview")
    expect(preview.get_by_label("Task title")).to_be_visible()
    expect(preview.get_by_label("points")).to_have_attribute("type", "number")
    expect(preview.get_by_label("stage")).to_have_count(0)
    assert_accessible(page)
    # When a visitor with no session opens the link in another browser context and submits
    guest = new_context(browser, ui_stack.url)
    try:
        visitor = guest.new_page()
        visitor.goto(link.input_value())
        form = visitor.get_by_role("form", name="Intake")
        form.get_by_role("button", name="Submit").click()
        expect(form.get_by_text("Cannot be blank.")).to_be_visible()  # the API's per-field error, next to it
        form.get_by_label("Task title").fill("From the form")
        form.get_by_label("points").fill("4")
        form.get_by_role("button", name="Submit").click()
        expect(visitor.get_by_role("status").filter(has_text="Got it, thanks!")).to_be_visible()
        assert_accessible(visitor)
        assert visitor.evaluate("() => sessionStorage.length + localStorage.length") == 0
    finally:
        guest.close()
    # Then the API has the record, with the hidden value the server set
    created = by_title(api)["From the form"]
    assert created["points"] == 4 and created["stage"] == "todo"


def test_view_settings_show_the_api_error_next_to_the_field_and_save(page: Page, tasks: dict[str, Any],
                                                                      api: httpx.Client) -> None:
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Board kanban").click()
    page.get_by_role("button", name="View settings").click()
    dialog = page.get_by_role("dialog", name="View settings: Board")
    dialog.get_by_label("Name").fill("Pipeline")
    dialog.get_by_label("Filter", exact=True).fill("stage =")
    dialog.get_by_role("button", name="Save view").click()
    # the refusal names the filter: its message sits under that field, and what was typed stays
    expect(dialog.locator(".field-invalid").get_by_label("Filter", exact=True)).to_have_value("stage =")
    expect(dialog.get_by_label("Name")).to_have_value("Pipeline")
    assert_accessible(page)
    dialog.get_by_label("Filter", exact=True).fill("stage != 'done'")
    dialog.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("navigation", name="Views").get_by_role("link", name="Pipeline kanban")).to_be_visible()
    expect(page.get_by_role("region", name="Stack done").locator(".kanban-card")).to_have_count(0)
    saved = api.get("/api/collections/_views/records", params={"filter": "name = 'Pipeline'"}).json()["items"]
    assert [(v["type"], v["filter"], v["options"]["stackField"]) for v in saved] == [("kanban", "stage != 'done'",
                                                                                     "stage")]


def test_a_view_is_deleted_after_typing_its_name(page: Page, tasks: dict[str, Any], api: httpx.Client) -> None:
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Points grid").click()
    page.get_by_role("button", name="Delete view").click()
    confirm = page.get_by_role("dialog", name="Delete view")
    confirm.get_by_label("Type Points to confirm").fill("Points")
    confirm.get_by_role("button", name="Delete view").click()
    expect(page.get_by_role("navigation", name="Views").get_by_role("link", name="Points grid")).to_have_count(0)
    names = [v["name"] for v in api.get("/api/collections/_views/records",
                                        params={"filter": f"collection = '{tasks['id']}'"}).json()["items"]]
    assert "Points" not in names and "Pipeline" in names
