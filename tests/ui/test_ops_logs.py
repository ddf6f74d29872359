"""The logs screen: a request is listed, the requests-per-hour chart renders (with its table), filters by text,
level and filter language narrow the list, a bad filter shows PocketBase's message, a log opens in detail."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible
from tests.ui.superuser_api import eventually, superuser_client

MARK = f"opslog{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    client = superuser_client(ui_stack)
    yield client
    client.close()


@pytest.fixture(scope="module")
def logged(ui_stack: StackProcess, api: httpx.Client) -> None:
    """Given two guest requests carrying MARK, a 404 (ERROR) and a 200 (INFO), and a superuser's, all listed."""
    with ui_stack.client() as guest:
        assert guest.get(f"/api/collections/{MARK}/records").status_code == 404
        assert guest.get(f"/api/health?probe={MARK}").status_code == 200
    assert api.get(f"/api/health?superuser={MARK}").status_code == 200

    def all_listed() -> bool:
        items = api.get("/api/logs", params={"filter": f'message ~ "{MARK}"', "perPage": 10}).json()["items"]
        return len(items) == 3

    eventually(all_listed, what="the three request logs")


def test_the_logs_screen_lists_a_request_and_draws_the_chart(page: Page, problems: PageProblems, logged: None) -> None:
    # When the superuser opens Logs from the top navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Logs").click()
    expect(page.get_by_role("heading", name="Logs", level=1)).to_be_visible()
    # Then the guest's request is listed with its level and status
    row = page.get_by_role("row").filter(has_text=f"GET /api/collections/{MARK}/records")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text("ERROR")
    expect(row.get_by_role("cell").nth(2)).to_have_text("404")
    # and the chart is an image named and described in text, with bars and the same numbers as a table
    chart = page.get_by_role("img", name="Requests per hour")
    expect(chart).to_be_visible()
    assert chart.locator("rect.chart-bar").count() >= 1
    expect(page.locator(".chart-summary")).to_contain_text("requests over")
    page.get_by_text("Show as a table").click()
    table_rows = page.locator(".chart-table tbody tr")
    expect(table_rows.first).to_be_visible()
    assert_accessible(page)
    assert problems.csp_violations() == []
    assert problems.uncaught() == []


def test_search_and_level_narrow_the_list(page: Page, logged: None) -> None:
    bar = page.get_by_role("search", name="Filter logs")
    # When a plain term is searched, both guest requests with it are listed, not the superuser's (PocketBase's default)
    bar.get_by_label("Search or filter").fill(MARK)
    bar.get_by_role("button", name="Apply").click()
    rows = page.locator("table.table tbody tr").filter(has_text=MARK)
    expect(rows).to_have_count(2)
    bar.get_by_label("Include requests by superusers").check()
    bar.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=f"superuser={MARK}")).to_contain_text("_superusers")
    bar.get_by_label("Include requests by superusers").uncheck()
    # and with "ERROR and above" only the 404 remains
    bar.get_by_label("Level").select_option(label="ERROR and above")
    bar.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"/api/collections/{MARK}/records")
    # and the filter language works as typed; the query lives in the address, so a reload keeps it
    bar.get_by_label("Search or filter").fill(f'data.status = 200 && message ~ "{MARK}"')
    bar.get_by_label("Level").select_option(label="Any")
    bar.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("/api/health")
    page.reload()
    expect(page.get_by_label("Search or filter")).to_have_value(f'data.status = 200 && message ~ "{MARK}"')
    expect(rows).to_have_count(1)


def test_a_time_range_in_the_future_lists_nothing(page: Page, logged: None) -> None:
    bar = page.get_by_role("search", name="Filter logs")
    bar.get_by_label("Search or filter").fill(MARK)
    bar.get_by_label("From").fill("2099-01-01T00:00")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No logs found.")).to_be_visible()
    expect(page.locator(".chart-summary")).to_have_text("No requests in this range.")
    bar.get_by_role("button", name="Reset").click()
    expect(bar.get_by_label("From")).to_have_value("")


def test_a_bad_filter_shows_the_api_message_and_keeps_the_text(page: Page) -> None:
    bar = page.get_by_role("search", name="Filter logs")
    bar.get_by_label("Search or filter").fill("nosuchfield = 1")
    bar.get_by_role("button", name="Apply").click()
    # (PocketBase's own answer to a filter naming an unknown field; the bar's help lists the fields)
    expect(page.get_by_role("alert")).to_have_text("Something went wrong while processing your request.")
    expect(bar.get_by_label("Search or filter")).to_have_accessible_description(re.compile("data\\.<path>"))
    expect(bar.get_by_label("Search or filter")).to_have_value("nosuchfield = 1")


def test_a_log_opens_in_a_detail_dialog(page: Page, api: httpx.Client, logged: None) -> None:
    bar = page.get_by_role("search", name="Filter logs")
    bar.get_by_label("Search or filter").fill(f"/api/collections/{MARK}/records")
    bar.get_by_role("button", name="Apply").click()
    # (by keyboard: the message is a button; Escape closes the native dialog)
    page.get_by_role("button", name=f"GET /api/collections/{MARK}/records").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Request log")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("data.status")
    expect(dialog).to_contain_text("404")
    expect(dialog).to_contain_text("data.error")
    # the address names the log, as PocketBase's ?logId= does, and it is the log the API has
    log_id = page.evaluate("() => new URLSearchParams(location.hash.split('?')[1]).get('log')")
    assert api.get(f"/api/logs/{log_id}").json()["message"] == f"GET /api/collections/{MARK}/records"
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
