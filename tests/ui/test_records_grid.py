"""The records grid: add records inline (a file upload too), filter and sort, edit cells, the side panel and its
history, the relation picker, live updates and bulk delete, each checked through the API, each screen axe-clean."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible
from tests.ui.records_seed import create_tasks, png_bytes, records

PREFIX = "grid"
TASKS = f"{PREFIX}_tasks"


@pytest.fixture(scope="module")
def seeded(api: httpx.Client) -> dict[str, Any]:
    people, tasks = create_tasks(api, PREFIX)
    ada = api.post(f"/api/collections/{people['name']}/records", json={"name": "Ada Lovelace"}).json()
    api.post(f"/api/collections/{people['name']}/records", json={"name": "Grace Hopper"}).raise_for_status()
    return {"people": people, "tasks": tasks, "ada": ada}


def rows(page: Page) -> Any:
    return page.get_by_role("table", name=f"{TASKS} records").locator("tbody tr:not(.new-row)")


def add_inline(page: Page, title: str, points: str, stage: str) -> None:
    page.get_by_label("New record title").fill(title)
    page.get_by_label("New record points").fill(points)
    page.get_by_label("New record stage").select_option(stage)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("button", name=f"Edit title of {title}")).to_be_visible()


def test_records_are_added_inline_with_a_file_upload(page: Page, seeded: dict[str, Any], api: httpx.Client,
                                                      ui_stack: StackProcess, problems: PageProblems) -> None:
    # Given the empty grid of the tasks collection
    page.goto(f"{ui_stack.url}/_/#/collections/{TASKS}/records")
    page.reload()  # the collections list was loaded at sign-in, before the seed
    expect(page.get_by_role("table", name=f"{TASKS} records")).to_be_visible()
    # When a record is typed into the new-record row with a picture, and two more without
    page.get_by_label("New record title").fill("Alpha")
    page.get_by_label("New record points").fill("3")
    page.get_by_label("New record stage").select_option("todo")
    page.get_by_label("Upload New record attachment").set_input_files(
        {"name": "alpha.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(page.get_by_text("alpha.png (new)")).to_be_visible()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("button", name="Edit title of Alpha")).to_be_visible()
    add_inline(page, "Beta", "1", "doing")
    add_inline(page, "Gamma", "2", "todo")
    # Then the API has them, the picture stored on Alpha, and the formula computed by the server
    saved = {r["title"]: r for r in records(api, TASKS)}
    assert sorted(saved) == ["Alpha", "Beta", "Gamma"]
    assert saved["Alpha"]["attachment"].startswith("alpha") and saved["Alpha"]["double"] == 6
    # and the grid shows its thumbnail through the files API, and the computed value read-only
    thumb = page.get_by_role("img", name=saved["Alpha"]["attachment"])
    expect(thumb).to_have_attribute("src", f"{ui_stack.url}/api/files/{seeded['tasks']['id']}/{saved['Alpha']['id']}/"
                                           f"{saved['Alpha']['attachment']}?thumb=100x100")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumb.element_handle())
    expect(page.get_by_role("button", name="Edit double of Alpha")).to_have_count(0)
    assert_accessible(page)
    assert problems.csp_violations() == [] and problems.uncaught() == []


def test_the_grid_filters_in_pocketbase_language_and_sorts_by_column(page: Page) -> None:
    # When a filter is applied
    page.get_by_label("Filter", exact=True).fill("points >= 2")
    page.get_by_role("button", name="Apply filter").click()
    # Then only the matching records are shown
    expect(rows(page)).to_have_count(2)
    # and a click on a column header sorts by it, ascending then descending
    header = page.get_by_role("columnheader", name="points")
    header.get_by_role("button").first.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).locator("td:nth-child(3) .cell-btn > span:first-child")).to_have_text(["Gamma", "Alpha"])
    header.get_by_role("button").first.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows(page).locator("td:nth-child(3) .cell-btn > span:first-child")).to_have_text(["Alpha", "Gamma"])
    # and a filter the API refuses shows its message, keeping what was typed
    page.get_by_label("Filter", exact=True).fill("points >")
    page.get_by_role("button", name="Apply filter").click()
    expect(page.get_by_role("alert")).to_contain_text("filter")
    expect(page.get_by_label("Filter", exact=True)).to_have_value("points >")
    page.get_by_role("button", name="Clear").click()
    expect(rows(page)).to_have_count(3)


def test_columns_hide_and_their_widths_persist_for_the_session(page: Page) -> None:
    page.locator("summary", has_text="Columns").click()
    page.get_by_role("group", name="Shown columns").get_by_label("meta").uncheck()
    expect(page.get_by_role("columnheader", name="meta")).to_have_count(0)
    handle = page.get_by_role("button", name="Resize column title")
    handle.focus()
    handle.press("ArrowRight")
    expect(page.get_by_role("button", name="Resize column title (190px): arrow keys")).to_be_visible()
    # a reload keeps both (sessionStorage, per collection)
    page.reload()
    expect(page.get_by_role("table", name=f"{TASKS} records")).to_be_visible()
    expect(page.get_by_role("columnheader", name="meta")).to_have_count(0)
    expect(page.get_by_role("button", name="Resize column title (190px): arrow keys")).to_be_visible()
    page.locator("summary", has_text="Columns").click()
    page.get_by_role("group", name="Shown columns").get_by_label("meta").check()
    page.locator("summary", has_text="Columns").click()


def test_a_cell_is_edited_in_place_and_a_refused_value_keeps_what_was_typed(page: Page, api: httpx.Client) -> None:
    # When a title is edited in its cell and Enter pressed
    page.get_by_role("button", name="Edit title of Beta").click()
    editor = page.get_by_role("textbox", name="title of Beta")
    editor.fill("Beta two")
    editor.press("Enter")
    expect(page.get_by_role("button", name="Edit title of Beta two")).to_be_visible()
    assert [r["title"] for r in records(api, TASKS, filter="points = 1")] == ["Beta two"]
    # and a value over the field's max is refused with the API's message next to it, the text kept
    page.get_by_role("button", name="Edit title of Gamma").click()
    editor = page.get_by_role("textbox", name="title of Gamma")
    editor.fill("x" * 101)
    editor.press("Enter")
    expect(page.locator(".cell-editor").get_by_role("alert")).to_be_visible()
    expect(editor).to_have_value("x" * 101)
    editor.press("Escape")
    expect(page.get_by_role("button", name="Edit title of Gamma")).to_be_visible()


def test_json_and_relation_cells_edit_in_dialogs(page: Page, api: httpx.Client, seeded: dict[str, Any]) -> None:
    # A JSON cell says whether its text parses, and saves the parsed value
    page.get_by_role("button", name="Edit meta of Alpha").click()
    dialog = page.get_by_role("dialog", name="meta of Alpha")
    dialog.get_by_label("meta").fill('{"tags": [1, 2')
    expect(dialog.get_by_text("Not valid JSON yet")).to_be_visible()
    dialog.get_by_label("meta").fill('{"tags": [1, 2]}')
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    # A relation is chosen in a picker that searches the related collection
    page.get_by_role("button", name="Edit owner of Alpha").click()
    page.get_by_role("dialog", name="owner of Alpha").get_by_role("button", name="Choose owner").click()
    picker = page.get_by_role("dialog", name="Choose owner")
    picker.get_by_label(f"Search {PREFIX}_people").fill("ada")
    expect(picker.get_by_role("list").get_by_role("listitem")).to_have_count(1)
    assert_accessible(page)
    picker.get_by_label("Ada Lovelace").check()
    picker.get_by_role("button", name="Use selected (1)").click()
    page.get_by_role("dialog", name="owner of Alpha").get_by_role("button", name="Save").click()
    # Then the grid names the linked record (expand), and the API has both values
    expect(page.get_by_role("button", name="Edit owner of Alpha")).to_contain_text("Ada Lovelace")
    alpha = records(api, TASKS, filter="title = 'Alpha'")[0]
    assert alpha["meta"] == {"tags": [1, 2]} and alpha["owner"] == seeded["ada"]["id"]


def test_the_side_panel_edits_and_shows_the_history(page: Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="Open Alpha").click()
    panel = page.get_by_role("complementary", name="Alpha")
    form = panel.get_by_role("form", name="Record fields")
    form.get_by_label("points", exact=True).fill("5")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("button", name="Edit points of Alpha")).to_contain_text("5")
    assert records(api, TASKS, filter="title = 'Alpha'")[0]["points"] == 5
    assert_accessible(page)
    # the history tab lists the audit entries (from the change stream, a second or two after each change), read
    # again after the save until the points change shows
    panel.get_by_role("tab", name="History").click()
    history = panel.get_by_role("region", name="History")
    entries = history.locator(".history-list > li")
    points_changed = entries.filter(has=page.get_by_role("rowheader", name="points", exact=True))
    expect(points_changed.filter(has_text="update")).to_have_count(1)  # 3 -> 5
    expect(points_changed.filter(has_text="update").get_by_role("row", name="points 3 5")).to_be_visible()
    expect(entries.filter(has_text="create")).to_have_count(1)
    expect(entries.first).to_contain_text("update")  # newest first
    assert_accessible(page)
    panel.get_by_role("button", name="Close record panel").click()
    expect(panel).to_have_count(0)


def test_a_file_cell_uploads_and_removes_in_its_dialog(page: Page, api: httpx.Client) -> None:
    # When a picture is uploaded to Beta's file cell
    page.get_by_role("button", name="Edit attachment of Beta two").click()
    dialog = page.get_by_role("dialog", name="attachment of Beta two")
    dialog.get_by_label("Upload attachment").set_input_files(
        {"name": "beta.png", "mimeType": "image/png", "buffer": png_bytes((22, 101, 52))})
    expect(dialog.get_by_text("beta.png (new)")).to_be_visible()
    expect(dialog.locator("img[src^='blob:']")).to_be_visible()  # a local preview, before any upload
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    stored = records(api, TASKS, filter="points = 1")[0]["attachment"]
    assert stored.startswith("beta")
    expect(page.get_by_role("img", name=stored)).to_be_visible()
    # And then removed again
    page.get_by_role("button", name="Edit attachment of Beta two").click()
    dialog.get_by_role("button", name=f"Remove {stored}").click()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("img", name=stored)).to_have_count(0)
    assert records(api, TASKS, filter="points = 1")[0]["attachment"] == ""


def test_a_record_made_elsewhere_appears_live(page: Page, api: httpx.Client) -> None:
    api.post(f"/api/collections/{TASKS}/records", json={"title": "From the API", "points": 9}).raise_for_status()
    expect(page.get_by_role("button", name="Edit title of From the API")).to_be_visible()


def test_selected_records_are_deleted_after_a_confirm(page: Page, api: httpx.Client) -> None:
    page.get_by_label("Select Gamma").check()
    page.get_by_label("Select From the API").check()
    page.get_by_role("region", name="Selected records").get_by_role("button", name="Delete selected").click()
    confirm = page.get_by_role("dialog", name="Delete 2 records")
    assert_accessible(page)
    confirm.get_by_role("button", name="Delete 2").click()
    expect(rows(page)).to_have_count(2)
    assert sorted(r["title"] for r in records(api, TASKS)) == ["Alpha", "Beta two"]


def test_a_view_collection_is_shown_read_only(page: Page, api: httpx.Client, ui_stack: StackProcess) -> None:
    api.post("/api/collections", json={"name": f"{PREFIX}_titles", "type": "view",
                                       "viewQuery": f"SELECT id, title FROM {TASKS}"}).raise_for_status()
    page.goto(f"{ui_stack.url}/_/#/collections/{PREFIX}_titles/records")
    page.reload()
    table = page.get_by_role("table", name=f"{PREFIX}_titles records")
    expect(table.get_by_text("Alpha")).to_be_visible()
    # a query's rows: no editor, no new-record row, no create button
    expect(table.get_by_role("button", name="Edit title of Alpha")).to_have_count(0)
    expect(page.get_by_role("button", name="Add", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="+ New record")).to_have_count(0)
