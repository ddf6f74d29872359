"""The webhooks screens: create a subscription to a loopback receiver, read its secret once (and copy it), see
a record write's signed delivery in the log with the receiver's answer, send a test, redeliver, rotate the
secret, bad input shown next to its field, delete."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.support.suite_timers import SUBSCRIPTIONS_CACHE_S
from tests.support.webhook_receiver import Receiver
from tests.ui.browser import PageProblems, assert_accessible
from tests.ui.superuser_api import superuser_client

COLLECTION = f"ops_hooks_{uuid.uuid4().hex[:6]}"
DESCRIPTION = "Orders to the fulfilment service"
DELIVERY_TIMEOUT_MS = 20_000  # the change stream, the bus, two queues and the POST, each polled locally


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    client = superuser_client(ui_stack)
    created = client.post("/api/collections", json={"name": COLLECTION, "type": "base",
                                                   "fields": [{"name": "title", "type": "text"}]})
    assert created.status_code == 200, created.text
    yield client
    client.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def secrets() -> dict[str, str]:
    """What the tests read off the screen, for the later tests of the module."""
    return {}


def webhooks(api: httpx.Client) -> list[dict[str, object]]:
    return list(api.get("/api/collections/_webhooks/records", params={"perPage": 100}).json()["items"])


def test_create_a_webhook_and_read_its_secret_once(page: Page, api: httpx.Client, receiver: Receiver,
                                                   secrets: dict[str, str], problems: PageProblems) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    # Given the Webhooks area, empty of this module's subscription
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    assert_accessible(page)
    # When the superuser creates a webhook for the collection's events
    page.get_by_role("link", name="New webhook").click()
    form = page.get_by_role("form", name="New webhook")
    form.get_by_label("Endpoint URL").fill(receiver.url)
    form.get_by_label("Events").fill(f"{COLLECTION}.*")
    form.get_by_label("Description").fill(DESCRIPTION)
    assert_accessible(page)
    form.get_by_role("button", name="Create webhook").click()
    # Then its signing secret is shown once, with a copy button that copies exactly it
    dialog = page.get_by_role("dialog", name="Webhook created: its signing secret")
    expect(dialog).to_be_visible()
    secret = dialog.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    dialog.get_by_role("button", name="Copy secret").click()
    expect(dialog.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    assert_accessible(page)
    dialog.get_by_role("button", name="I have saved it").click()
    expect(dialog).to_be_hidden()
    # and the API has the subscription, whose secret no read shows again
    (hook,) = [h for h in webhooks(api) if h["description"] == DESCRIPTION]
    assert hook["url"] == receiver.url and hook["events"] == [f"{COLLECTION}.*"] and hook["enabled"] is True
    assert hook["secret"] == ""
    expect(page.get_by_role("heading", name=DESCRIPTION)).to_be_visible()
    expect(page.get_by_role("complementary", name="Webhooks").get_by_role("link", name=DESCRIPTION)).to_be_visible()
    secrets["id"], secrets["secret"] = str(hook["id"]), secret
    assert problems.csp_violations() == []
    assert problems.uncaught() == []


def test_a_record_write_appears_in_the_delivery_log(page: Page, api: httpx.Client, receiver: Receiver,
                                                    secrets: dict[str, str]) -> None:
    receiver.secrets = [secrets["secret"]]
    # the deliveries function's subscriptions cache (filled by an earlier module's writes) sees the new webhook
    time.sleep(SUBSCRIPTIONS_CACHE_S + 0.1)
    # When a record of the collection is created through the API
    created = api.post(f"/api/collections/{COLLECTION}/records", json={"title": "first order"})
    assert created.status_code == 200, created.text
    # Then the receiver gets it, signed with the secret the screen showed
    (delivery,) = receiver.wait_for(1)
    assert delivery.verified and delivery.body["type"] == "record.created"
    # and the delivery log on the screen (refreshing itself) shows the delivered attempt with the answer
    log = page.get_by_role("region", name="Delivery log")
    row = log.get_by_role("row").filter(has_text="record.created")
    expect(row).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(row).to_contain_text("delivered")
    expect(row).to_contain_text("200")
    expect(row).to_contain_text("ok")  # the receiver's response excerpt
    assert_accessible(page)


def test_send_a_test_and_redeliver(page: Page, receiver: Receiver) -> None:
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_role("status").filter(has_text="Test event queued")).to_be_visible()
    log = page.get_by_role("region", name="Delivery log")
    expect(log.get_by_role("row").filter(has_text="webhook.test")).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    assert receiver.wait_for(2)[1].body["type"] == "webhook.test"
    # When the record delivery is redelivered, the receiver gets the same webhook-id again, as a new run
    first = receiver.received[0]
    log.get_by_role("row").filter(has_text="record.created").get_by_role("button", name="Redeliver").click()
    expect(page.get_by_role("status").filter(has_text="Redelivery queued")).to_be_visible()
    again = receiver.wait_for(3)[2]
    assert again.headers["webhook-id"] == first.headers["webhook-id"] and again.verified
    expect(log.get_by_role("row").filter(has_text="record.created")).to_have_count(2, timeout=DELIVERY_TIMEOUT_MS)
    # and the attempts of a delivery open in a dialog with the response excerpt
    log.get_by_role("row").filter(has_text="webhook.test").get_by_role("button", name="Attempts").click()
    dialog = page.get_by_role("dialog", name="Delivery attempts")
    expect(dialog).to_contain_text("delivered")
    expect(dialog.locator("pre")).to_have_text("ok")
    assert_accessible(page)
    dialog.get_by_role("button", name="Close").click()
    # and a replay of failed deliveries finds none: every delivery succeeded
    log.get_by_role("button", name="Replay failed").click()
    expect(page.get_by_role("status").filter(has_text="No failed deliveries in the last 24 hours.")).to_be_visible()


def test_bad_input_is_shown_next_to_its_field_and_the_form_keeps_it(page: Page, api: httpx.Client,
                                                                    receiver: Receiver) -> None:
    form = page.get_by_role("form", name="Edit webhook")
    # a headers value that is no JSON object is refused before any request
    form.get_by_label("Extra headers").fill("not json")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_label("Extra headers")).to_have_accessible_description(re.compile("Not valid JSON"))
    form.get_by_label("Extra headers").fill("")
    # the API's own per-field error for a URL it refuses, next to the URL, with the typed values kept
    form.get_by_label("Endpoint URL").fill("ftp://example.com/hook")
    form.get_by_label("Events").fill("orders.*, *.deleted")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_be_visible()
    url_field = form.get_by_label("Endpoint URL")
    expect(url_field).to_have_attribute("aria-invalid", "true")
    expect(url_field).to_have_value("ftp://example.com/hook")
    expect(form.get_by_label("Events")).to_have_value("orders.*, *.deleted")
    assert_accessible(page)
    (hook,) = [h for h in webhooks(api) if h["description"] == DESCRIPTION]
    assert hook["url"] == receiver.url  # nothing half-written
    # and a valid edit saves
    url_field.fill(receiver.url)
    form.get_by_label("Events").fill(f"{COLLECTION}.*")
    form.get_by_label("Enabled").uncheck()
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Webhook saved.")).to_be_visible()
    (hook,) = [h for h in webhooks(api) if h["description"] == DESCRIPTION]
    assert hook["enabled"] is False


def test_rotate_the_secret_shows_the_new_one_once(page: Page, secrets: dict[str, str]) -> None:
    page.get_by_role("button", name="Rotate secret").click()
    rotate = page.get_by_role("dialog", name="Rotate the signing secret")
    rotate.get_by_label("Overlap (seconds)").fill("60")
    rotate.get_by_role("button", name="Rotate").click()
    shown = page.get_by_role("dialog", name="New signing secret")
    new_secret = shown.get_by_label("Signing secret").input_value()
    assert new_secret.startswith("whsec_") and new_secret != secrets["secret"]
    expect(shown).to_contain_text("The previous secret keeps signing until")
    shown.get_by_role("button", name="I have saved it").click()


def test_delete_the_webhook(page: Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete webhook").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    assert [h for h in webhooks(api) if h["description"] == DESCRIPTION] == []
    # the area's page replays the dead letters (none of this module's; the session's other modules may leave some)
    page.get_by_role("button", name="Replay undelivered").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("undelivered deliver"))).to_be_visible()
    assert_accessible(page)

