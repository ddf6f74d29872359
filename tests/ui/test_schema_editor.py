"""The schema editor: create a collection with every kind of field, rename with the data kept, reorder, rules checked
as you type with autocomplete, indexes, delete with a typed confirmation. Each result checked through the API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import (
    SUPERUSER_EMAIL,
    SUPERUSER_PASSWORD,
    PageProblems,
    assert_accessible,
    open_new_collection,
    save_schema,
)


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    client = httpx.Client(base_url=ui_stack.url, timeout=30)
    token = client.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}).json()["token"]
    client.headers["Authorization"] = token
    client.post("/api/collections", json={"name": "ed_tags", "type": "base",
                                          "fields": [{"name": "label", "type": "text"}]}).raise_for_status()
    yield client
    client.close()


def _field_row(page: Page, index: int) -> Locator:
    return page.locator(".fields-list > li").nth(index)


def _add_field(page: Page, type_label: str, name: str) -> Locator:
    page.get_by_label("New field type").select_option(label=type_label)
    page.get_by_role("button", name="+ Add field").click()
    row = page.locator(".fields-list > li").last
    row.get_by_label("name").fill(name)
    return row


def test_create_a_collection_with_plain_relation_file_and_computed_fields(
        page: Page, api: httpx.Client) -> None:
    editor = open_new_collection(page)
    editor.get_by_label("Name", exact=True).fill("ed_posts")
    _add_field(page, "Plain text", "title")
    _add_field(page, "Number", "price")
    select = _add_field(page, "Select", "status")
    select.get_by_role("button", name="Options").click()
    select.get_by_label("Choices").fill("draft, published")
    relation = _add_field(page, "Relation", "tags")
    relation.get_by_role("button", name="Options").click()
    relation.get_by_label("Collection").select_option(label="ed_tags")
    relation.get_by_label("Max select").fill("5")
    file = _add_field(page, "File", "cover")
    file.get_by_role("button", name="Options").click()
    file.get_by_label("Allowed MIME types").fill("image/png, image/jpeg")
    formula = _add_field(page, "Formula (computed)", "with_tax")
    formula.get_by_role("button", name="Options").click()
    formula.get_by_role("textbox", name="Formula", exact=True).fill("{price} * 1.2")
    # the linked computed types go through the `tags` relation of the draft, into ed_tags' fields
    lookup = _add_field(page, "Lookup (computed)", "tag_labels")
    lookup.get_by_role("button", name="Options").click()
    lookup.get_by_label("Through relation").select_option("tags")
    lookup.get_by_label("Field of the linked records").select_option("label")
    rollup = _add_field(page, "Rollup (computed)", "tag_list")
    rollup.get_by_role("button", name="Options").click()
    rollup.get_by_label("Through relation").select_option("tags")
    rollup.get_by_label("Field of the linked records").select_option("label")
    rollup.get_by_label("Aggregate").select_option("ARRAYJOIN")
    count = _add_field(page, "Count (computed)", "tag_count")
    count.get_by_role("button", name="Options").click()
    count.get_by_label("Through relation").select_option("tags")
    assert_accessible(page)
    editor.get_by_role("button", name="Create collection").click()
    expect(page.get_by_role("heading", name="ed_posts")).to_be_visible()
    # Then the API has the collection with each field and its options
    saved = api.get("/api/collections/ed_posts").json()
    fields = {f["name"]: f for f in saved["fields"]}
    assert [f["name"] for f in saved["fields"] if not f.get("system")] == [
        "title", "price", "status", "tags", "cover", "with_tax", "tag_labels", "tag_list", "tag_count"]
    assert fields["status"]["values"] == ["draft", "published"]
    tags_id = api.get("/api/collections/ed_tags").json()["id"]
    assert fields["tags"]["collectionId"] == tags_id and fields["tags"]["maxSelect"] == 5
    assert fields["cover"]["mimeTypes"] == ["image/png", "image/jpeg"]
    assert fields["with_tax"]["formula"] == "{price} * 1.2"
    assert (fields["tag_labels"]["relation"], fields["tag_labels"]["field"]) == ("tags", "label")
    assert (fields["tag_list"]["aggregate"], fields["tag_list"]["field"]) == ("ARRAYJOIN", "label")
    assert fields["tag_count"]["relation"] == "tags"
    # and the sidebar lists it
    expect(page.get_by_role("complementary", name="Collections").get_by_role("link", name="ed_posts")).to_be_visible()


def test_a_save_error_shows_next_to_its_field_and_keeps_the_draft(page: Page) -> None:
    row = _add_field(page, "Select", "mood")  # a select without choices
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    # the option's error is summed up on the collapsed row, and shown under the option once opened
    expect(row.locator(".field-error")).to_contain_text("values:")
    row.get_by_role("button", name="Options").click()
    expect(row.get_by_role("textbox", name="Choices")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_label("name")).to_have_value("mood")
    row.get_by_role("button", name="Remove mood").click()


def test_rename_keeps_the_data_and_reordering_saves_the_new_order(page: Page, api: httpx.Client) -> None:
    api.post("/api/collections/ed_posts/records", json={"title": "kept", "price": 10}).raise_for_status()
    _field_row(page, 1).get_by_label("name").fill("headline")  # row 0 is the system id
    # the keyboard way: move `price` above `headline`
    _field_row(page, 2).get_by_role("button", name="Move price up").click()
    expect(page.locator(".visually-hidden[aria-live]")).to_contain_text("price moved to position 2")
    # and by dragging: `status` (row 3) onto `price` (row 1), both in view (a drag does not scroll)
    page.locator("#fields-heading").scroll_into_view_if_needed()
    _field_row(page, 3).locator(".drag-handle").drag_to(_field_row(page, 1))
    save_schema(page, "ed_posts")
    saved = api.get("/api/collections/ed_posts").json()
    assert [f["name"] for f in saved["fields"] if not f.get("system")][:3] == ["status", "price", "headline"]
    (record,) = api.get("/api/collections/ed_posts/records").json()["items"]
    assert record["headline"] == "kept" and "title" not in record


def test_rules_are_checked_as_you_type_with_autocomplete(page: Page, api: httpx.Client) -> None:
    # the new collection's rules are locked (superusers only); unlock the list rule
    page.locator(".rule-field", has_text="List/Search rule").get_by_role("button", name="Unlock (set a rule)").click()
    rule = page.get_by_role("combobox", name="List/Search rule")
    rule.fill("head")
    # the suggestions offer the renamed field; Enter takes it
    expect(page.get_by_role("option", name="headline")).to_be_visible()
    rule.press("Enter")
    expect(rule).to_have_value("headline")
    rule.press_sequentially(" = ")
    expect(page.get_by_text("Invalid rule. Raw error:")).to_be_visible()
    rule.press_sequentially("@req")
    expect(page.get_by_role("option", name="@request.auth.id")).to_be_visible()
    rule.fill("headline = @request.auth.id && nope = 1")
    expect(page.get_by_text("'nope'")).to_be_visible()
    rule.fill("headline != ''")
    expect(page.get_by_text("Valid rule.")).to_be_visible()
    assert_accessible(page)
    save_schema(page, "ed_posts")
    assert api.get("/api/collections/ed_posts").json()["listRule"] == "headline != ''"


def test_an_index_is_added_and_shows_its_state(page: Page, api: httpx.Client) -> None:
    builder = page.get_by_role("group", name="New index")
    builder.get_by_label("price", exact=True).check()
    builder.get_by_role("button", name="+ Add index").click()
    expect(page.locator(".indexes-list .badge")).to_have_text(["unsaved"])
    save_schema(page, "ed_posts")
    saved = api.get("/api/collections/ed_posts").json()
    assert saved["indexes"] == ["CREATE INDEX `idx_ed_posts_price` ON `ed_posts` (`price`)"]
    # a collection with records builds it in the background: building, then ready (LB_JOBS_SETTLE_S is short)
    expect(page.locator(".indexes-list .badge")).to_have_text(["building"])
    expect(page.locator(".indexes-list .badge")).to_have_text(["ready"], timeout=30_000)


def test_delete_asks_for_the_name(page: Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="Delete collection").click()
    dialog = page.get_by_role("dialog", name="Delete ed_posts?")
    confirm = dialog.get_by_role("button", name="Delete collection")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type ed_posts to confirm").fill("ed_post")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type ed_posts to confirm").fill("ed_posts")
    confirm.click()
    expect(page.get_by_role("heading", name="Collections")).to_be_visible()
    assert api.get("/api/collections/ed_posts").status_code == 404


def test_the_api_preview_is_generated_from_the_schema(page: Page, api: httpx.Client) -> None:
    api.post("/api/collections", json={"name": "ed_people", "type": "base", "listRule": "", "fields": [
        {"name": "nickname", "type": "text"}, {"name": "mood", "type": "select", "values": ["calm", "busy"]}]}
             ).raise_for_status()
    page.goto(page.url.split("#")[0] + "#/collections/ed_people/api")
    tabs = page.get_by_role("tablist", name="Endpoints")
    expect(page.get_by_role("tabpanel")).to_contain_text("GET /api/collections/ed_people/records")
    expect(page.get_by_role("tabpanel")).to_contain_text("Who: everyone")
    # the create example writes every field with a value of its type; arrows move between the tabs
    tabs.get_by_role("tab", name="List/Search").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(tabs.get_by_role("tab", name="Create")).to_have_attribute("aria-selected", "true")
    code = page.get_by_role("tabpanel").locator("pre")
    expect(code).to_contain_text('"nickname": "lorem ipsum"')
    expect(code).to_contain_text('"mood": "calm"')
    expect(page.get_by_role("tabpanel")).to_contain_text("Who: superusers only")
    assert_accessible(page)


def test_export_then_import_a_changed_schema(page: Page, api: httpx.Client) -> None:
    page.get_by_role("link", name="Export").click()
    preview = page.get_by_label("Exported JSON")
    expect(preview).to_contain_text('"name": "ed_people"')
    assert_accessible(page)
    exported = [c for c in json.loads(preview.inner_text()) if c["name"] == "ed_people"]
    exported[0]["fields"].append({"name": "bio", "type": "editor"})
    exported.append({"name": "ed_imported", "type": "base", "fields": [{"name": "note", "type": "text"}]})
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Collections JSON").fill(json.dumps(exported))
    changes = page.get_by_role("region", name="Detected changes")
    expect(changes.get_by_role("listitem")).to_have_text(["changed ed_people", "added ed_imported"])
    assert_accessible(page)
    page.get_by_role("button", name="Review and import").click()
    page.get_by_role("dialog", name="Import collections?").get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 2 collection(s).")).to_be_visible()
    people = api.get("/api/collections/ed_people").json()
    assert [f["name"] for f in people["fields"] if not f.get("system")] == ["nickname", "mood", "bio"]
    assert api.get("/api/collections/ed_imported").status_code == 200
    # and the sidebar knows the new collection
    sidebar = page.get_by_role("complementary", name="Collections")
    expect(sidebar.get_by_role("link", name="ed_imported")).to_be_visible()


def test_a_view_collection_is_created_from_its_query(page: Page, api: httpx.Client) -> None:
    editor = open_new_collection(page)
    editor.get_by_label("Name", exact=True).fill("ed_tag_view")
    editor.get_by_label("Type", exact=True).select_option("view")
    # a view has no fields or indexes of its own, and no write rules
    expect(page.get_by_role("heading", name="Fields")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Create rule")).to_have_count(0)
    editor.get_by_label("SELECT query").fill("SELECT id, label FROM ed_tags")
    editor.get_by_role("button", name="Create collection").click()
    expect(page.get_by_role("heading", name="ed_tag_view")).to_be_visible()
    saved = api.get("/api/collections/ed_tag_view").json()
    assert saved["type"] == "view"
    assert [f["name"] for f in saved["fields"]] == ["id", "label"]



def test_an_auth_collection_has_its_auth_options(page: Page, api: httpx.Client) -> None:
    page.goto(page.url.split("#")[0] + "#/collections/users/schema")
    options = page.get_by_role("region", name="Auth options")
    expect(options.get_by_label("Sign in with a password")).to_be_checked()
    options.get_by_label("Sign in with an emailed code").check()
    options.get_by_label("Code lifetime (seconds)").fill("300")
    options.get_by_label("Auth token").fill("86400")
    # auth collections also have the auth and manage rules
    expect(page.locator(".rule-field", has_text="Manage rule")).to_have_count(1)
    assert_accessible(page)
    save_schema(page, "users")
    users = api.get("/api/collections/users").json()
    assert users["otp"]["enabled"] is True and users["otp"]["duration"] == 300
    assert users["authToken"]["duration"] == 86400
    assert users["passwordAuth"]["identityFields"] == ["email"]

def test_nothing_was_refused_by_the_csp_on_the_way(problems: PageProblems) -> None:
    # every screen of this module ran under the strict CSP, axe included (evaluated, not injected)
    assert problems.csp_violations() == []
    assert problems.uncaught() == []
