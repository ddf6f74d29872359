"""The scenario a new user follows (issue 16), end to end through the dashboard: sign in, build a collection, fill
it inline, filter and sort, a kanban with a dragged card, a public form submitted signed out, a rule a guest meets,
a webhook's delivery, a backup. Steps run in order on one page; each result is checked through the API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.stack_process import StackProcess
from tests.support.suite_timers import SUBSCRIPTIONS_CACHE_S
from tests.support.webhook_receiver import Receiver
from tests.ui.browser import PageProblems, open_new_collection, save_schema, sign_in
from tests.ui.conftest import new_context
from tests.ui.records_seed import png_bytes, records
from tests.ui.superuser_api import eventually

ITEMS = "scn_items"
FORM_SLUG = "scn-ideas"
BACKUP = "scn_first_backup.zip"
DELIVERY_TIMEOUT_MS = 20_000  # change stream, bus, queues and the POST, each polled by the local stack
BACKUP_TIMEOUT_MS = 30_000  # a few job steps through the local jobs queue


@pytest.fixture(scope="module")
def page(browser: Browser, ui_stack: StackProcess) -> Iterator[Page]:
    """A fresh, signed-out page: signing in is the scenario's first step."""
    context = new_context(browser, ui_stack.url)
    page = context.new_page()
    page.problems = PageProblems(page)  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _items(api: httpx.Client, **params: str) -> dict[str, dict[str, Any]]:
    return {r["title"]: r for r in records(api, ITEMS, **params)}


def _add_field(page: Page, type_label: str, name: str) -> Locator:
    page.get_by_label("New field type").select_option(label=type_label)
    page.get_by_role("button", name="+ Add field").click()
    row = page.locator(".fields-list > li").last
    row.get_by_label("name").fill(name)
    return row


def _rows(page: Page) -> Locator:
    return page.get_by_role("table", name=f"{ITEMS} records").locator("tbody tr:not(.new-row)")


def _titles(page: Page) -> Locator:
    return _rows(page).locator("td:nth-child(3) .cell-btn > span:first-child")


def _add_inline(page: Page, title: str, price: str, status: str) -> None:
    page.get_by_label("New record title").fill(title)
    page.get_by_label("New record price").fill(price)
    page.get_by_label("New record status").select_option(status)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("button", name=f"Edit title of {title}")).to_be_visible()


def test_sign_in(page: Page, ui_stack: StackProcess) -> None:
    page.goto(ui_stack.url + "/_/")
    expect(page.get_by_role("form", name="Superuser sign-in")).to_be_visible()  # signed out: the sign-in screen
    sign_in(page, ui_stack.url)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections")).to_be_visible()


def test_create_a_collection_with_text_number_select_relation_file_and_formula(page: Page,
                                                                                api: httpx.Client) -> None:
    editor = open_new_collection(page)
    editor.get_by_label("Name", exact=True).fill(ITEMS)
    _add_field(page, "Plain text", "title")
    _add_field(page, "Number", "price")
    status = _add_field(page, "Select", "status")
    status.get_by_role("button", name="Options").click()
    status.get_by_label("Choices").fill("idea, building, shipped")
    owner = _add_field(page, "Relation", "owner")
    owner.get_by_role("button", name="Options").click()
    owner.get_by_label("Collection").select_option(label="users")
    photo = _add_field(page, "File", "photo")
    photo.get_by_role("button", name="Options").click()
    photo.get_by_label("Allowed MIME types").fill("image/png")
    with_tax = _add_field(page, "Formula (computed)", "with_tax")
    with_tax.get_by_role("button", name="Options").click()
    with_tax.get_by_role("textbox", name="Formula", exact=True).fill("{price} * 1.2")
    editor.get_by_role("button", name="Create collection").click()
    expect(page.get_by_role("heading", name=ITEMS)).to_be_visible()
    saved = {f["name"]: f for f in api.get(f"/api/collections/{ITEMS}").json()["fields"]}
    assert {name: saved[name]["type"] for name in ("title", "price", "status", "owner", "photo", "with_tax")} == {
        "title": "text", "price": "number", "status": "select", "owner": "relation", "photo": "file",
        "with_tax": "formula"}
    assert saved["status"]["values"] == ["idea", "building", "shipped"]
    assert saved["owner"]["collectionId"] == "_pb_users_auth_"


def test_add_records_inline_with_a_file_upload(page: Page, api: httpx.Client) -> None:
    page.get_by_role("navigation", name="Collection").get_by_role("link", name="Records").click()
    expect(page.get_by_role("table", name=f"{ITEMS} records")).to_be_visible()
    page.get_by_label("New record title").fill("Lamp")
    page.get_by_label("New record price").fill("40")
    page.get_by_label("New record status").select_option("idea")
    page.get_by_label("Upload New record photo").set_input_files(
        {"name": "lamp.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(page.get_by_text("lamp.png (new)")).to_be_visible()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("button", name="Edit title of Lamp")).to_be_visible()
    _add_inline(page, "Desk", "250", "building")
    _add_inline(page, "Chair", "90", "idea")
    saved = _items(api)
    assert sorted(saved) == ["Chair", "Desk", "Lamp"]
    assert saved["Lamp"]["photo"].startswith("lamp") and saved["Lamp"]["with_tax"] == 48
    expect(page.get_by_role("img", name=saved["Lamp"]["photo"])).to_be_visible()  # its thumbnail


def test_filter_and_sort_the_grid(page: Page) -> None:
    page.get_by_label("Filter", exact=True).fill("price >= 50")
    page.get_by_role("button", name="Apply filter").click()
    expect(_rows(page)).to_have_count(2)
    header = page.get_by_role("columnheader", name="price")
    header.get_by_role("button").first.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(_titles(page)).to_have_text(["Chair", "Desk"])
    header.get_by_role("button").first.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(_titles(page)).to_have_text(["Desk", "Chair"])
    page.get_by_role("button", name="Clear").click()
    expect(_rows(page)).to_have_count(3)


def test_a_kanban_card_is_dragged_to_another_stack(page: Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="+ New view").click()
    dialog = page.get_by_role("dialog", name=f"New view of {ITEMS}")
    dialog.get_by_label("Name").fill("Item stages")
    dialog.get_by_label("Type").select_option("kanban")
    dialog.get_by_label("Stack by").select_option("status")
    dialog.get_by_role("button", name="Create view").click()
    ideas = page.get_by_role("region", name="Stack idea")
    shipped = page.get_by_role("region", name="Stack shipped")
    expect(ideas.locator(".kanban-card .card-title")).to_have_count(2)
    ideas.locator(".kanban-card", has_text="Chair").drag_to(shipped)
    expect(shipped.get_by_role("button", name="Chair")).to_be_visible()
    assert _items(api)["Chair"]["status"] == "shipped"


def test_a_public_form_is_submitted_from_a_signed_out_page(page: Page, api: httpx.Client, browser: Browser,
                                                            ui_stack: StackProcess) -> None:
    page.get_by_role("button", name="+ New view").click()
    dialog = page.get_by_role("dialog", name=f"New view of {ITEMS}")
    dialog.get_by_label("Name").fill("Ideas box")
    dialog.get_by_label("Type").select_option("form")
    dialog.get_by_label("Public address (slug)").fill(FORM_SLUG)
    dialog.get_by_role("button", name="Create view").click()
    definition = page.get_by_role("form", name="Form definition")
    for name in ("status", "owner", "photo"):
        definition.get_by_label(f"Ask for {name}").uncheck()
    definition.get_by_label("title required").check()
    definition.get_by_role("button", name="+ Hidden value").click()
    definition.get_by_label("Hidden value 1 field").select_option("status")
    definition.get_by_label("Hidden value 1 value").fill("idea")
    definition.get_by_label("Success message").fill("Thanks for the idea!")
    definition.get_by_role("button", name="Save form").click()
    link = page.get_by_label("Shareable link")
    expect(link).to_have_value(f"{ui_stack.url}/_/#/forms/{FORM_SLUG}")
    # a second page, in a browser context that never signed in
    guest = new_context(browser, ui_stack.url)
    try:
        visitor = guest.new_page()
        visitor.goto(link.input_value())
        form = visitor.get_by_role("form", name="Ideas box")
        form.get_by_label("title").fill("Bookshelf")
        form.get_by_label("price").fill("120")
        form.get_by_role("button", name="Submit").click()
        expect(visitor.get_by_role("status").filter(has_text="Thanks for the idea!")).to_be_visible()
    finally:
        guest.close()
    created = _items(api)["Bookshelf"]
    assert (created["price"], created["status"], created["with_tax"]) == (120, "idea", 144)


def test_a_rule_is_set_and_a_guest_is_denied(page: Page, api: httpx.Client, ui_stack: StackProcess) -> None:
    guest = ui_stack.client()
    lamp = _items(api)["Lamp"]
    page.get_by_role("navigation", name="Collection").get_by_role("link", name="Schema").click()
    # public reads first: a guest lists and views the records
    for label in ("List/Search rule", "View rule"):
        page.locator(".rule-field", has_text=label).get_by_role("button", name="Unlock (set a rule)").click()
    save_schema(page, ITEMS)
    public = guest.get(f"/api/collections/{ITEMS}/records")
    assert public.status_code == 200, public.text
    assert len(public.json()["items"]) == 4
    # then only signed-in users: the rule is checked as it is typed, saved, and the guest sees nothing
    for label in ("List/Search rule", "View rule"):
        rule = page.get_by_role("combobox", name=label)
        rule.fill("@request.auth.id != ''")
        expect(page.locator(".rule-field", has_text=label).get_by_text("Valid rule.")).to_be_visible()
    save_schema(page, ITEMS)
    assert api.get(f"/api/collections/{ITEMS}").json()["listRule"] == "@request.auth.id != ''"
    listed = guest.get(f"/api/collections/{ITEMS}/records")
    assert listed.status_code == 200 and listed.json()["items"] == []  # PocketBase's list: filtered, not refused
    viewed = guest.get(f"/api/collections/{ITEMS}/records/{lamp['id']}")
    assert viewed.status_code == 404 and viewed.json()["message"] == "The requested resource wasn't found."
    created = guest.post(f"/api/collections/{ITEMS}/records", json={"title": "sneaky"})
    assert created.status_code == 403  # the create rule is still locked: superusers only
    assert len(records(api, ITEMS)) == 4


def test_a_webhook_shows_a_delivery_in_its_log(page: Page, api: httpx.Client, receiver: Receiver) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="New webhook").click()
    form = page.get_by_role("form", name="New webhook")
    form.get_by_label("Endpoint URL").fill(receiver.url)
    form.get_by_label("Events").fill(f"{ITEMS}.*")
    form.get_by_label("Description").fill("Items to the shop")
    form.get_by_role("button", name="Create webhook").click()
    secret_dialog = page.get_by_role("dialog", name="Webhook created: its signing secret")
    receiver.secrets = [secret_dialog.get_by_label("Signing secret").input_value()]
    subscribed = time.monotonic()
    secret_dialog.get_by_role("button", name="I have saved it").click()
    # a record change made in the grid is delivered, signed, and listed in the webhook's log
    hook_url = page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    page.get_by_role("complementary", name="Collections").get_by_role("link", name=ITEMS).click()
    page.get_by_role("button", name="Edit price of Desk").click()
    # the deliveries function caches "no subscriptions" from the earlier writes: the edit comes after its life
    # (the steps above nearly always outlast it)
    time.sleep(max(0.0, subscribed + SUBSCRIPTIONS_CACHE_S + 0.1 - time.monotonic()))
    cell = page.get_by_role("spinbutton", name="price of Desk")
    cell.fill("240")
    cell.press("Enter")
    expect(page.get_by_role("button", name="Edit price of Desk")).to_contain_text("240")
    # (a record written just before the webhook was made may be delivered too: its event was still on the way)
    (delivery,) = eventually(lambda: [d for d in receiver.received if d.body["type"] == "record.updated"],
                             what="the update's delivery")
    assert delivery.verified and delivery.body["data"]["record"]["price"] == 240
    page.goto(hook_url)
    row = page.get_by_role("region", name="Delivery log").get_by_role("row").filter(has_text="record.updated")
    expect(row).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(row).to_contain_text("delivered")


def test_take_a_backup(page: Page, api: httpx.Client, problems: PageProblems) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Backups").click()
    page.get_by_role("button", name="New backup").click()
    form = page.get_by_role("form", name="New backup")
    form.get_by_label("Name").fill(BACKUP)
    form.get_by_role("button", name="Start backup").click()
    expect(page.get_by_role("status").filter(has_text=f"Backup {BACKUP} created.")).to_be_visible(
        timeout=BACKUP_TIMEOUT_MS)
    assert BACKUP in {b["key"] for b in api.get("/api/backups").json()}
    # the whole way ran under the strict CSP, with nothing thrown
    assert problems.csp_violations() == [] and problems.uncaught() == []
