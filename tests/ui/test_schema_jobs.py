"""The schema editor's background work and maintained aggregates: a declaration's per-field errors, then its
build, a computed field's backfill and a view's build each shown while it runs and gone once done (the editor
polls); each result checked through the API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible, open_new_collection, save_schema

SALES = "jb_sales"
AMOUNTS = {"north": [5, 7], "south": [11]}


@pytest.fixture(scope="module")
def seeded(api: httpx.Client) -> Iterator[None]:
    api.post("/api/collections", json={"name": SALES, "type": "base", "listRule": "", "fields": [
        {"name": "region", "type": "select", "values": ["north", "south"]},
        {"name": "amount", "type": "number"}]}).raise_for_status()
    for region, amounts in AMOUNTS.items():
        for amount in amounts:
            api.post(f"/api/collections/{SALES}/records", json={"region": region, "amount": amount}
                     ).raise_for_status()
    yield


def _background(page: Page) -> Locator:
    return page.get_by_role("region", name="Background work")


def test_a_maintained_aggregate_shows_its_errors_then_its_build(page: Page, api: httpx.Client, seeded: None,
                                                                ui_stack: StackProcess) -> None:
    page.goto(f"{ui_stack.url}/_/#/collections/{SALES}/schema")
    section = page.get_by_role("region", name="Maintained aggregates")
    section.get_by_role("button", name="+ Add aggregate").click()
    row = section.get_by_role("listitem").last  # its group is named after the aggregate, as typed
    expect(row.get_by_role("group")).to_have_accessible_name("Aggregate 1 unsaved")
    row.get_by_label("Name").fill("by_region")
    row.get_by_label("Group by").fill("region")
    row.get_by_label("Metrics").fill("count(), max(amount)")
    page.get_by_role("button", name="Save changes").click()
    # Then the API's error on the declaration's metrics is shown under that input, the draft kept
    metrics = row.get_by_role("group", name="Aggregate by_region").get_by_label("Metrics")
    expect(metrics).to_have_attribute("aria-invalid", "true")
    expect(section.locator(".field-error")).to_contain_text("cannot be maintained")
    assert_accessible(page)
    metrics.fill("count(), sum(amount)")
    save_schema(page, SALES)
    # the build is shown while it runs (it waits for every catalog to know the declaration), then ready
    expect(_background(page)).to_contain_text("Building aggregate by_region")
    expect(section.locator(".badge")).to_have_text(["building"])
    expect(section.locator(".badge")).to_have_text(["ready"], timeout=20_000)
    expect(_background(page)).to_have_count(0)
    saved = api.get(f"/api/collections/{SALES}").json()
    assert saved["aggregates"] == [{"name": "by_region", "groupBy": ["region"], "metrics": ["count()", "sum(amount)"]}]
    assert "aggregateStates" not in saved
    answer = api.get(f"/api/collections/{SALES}/aggregate", params={"groupBy": "region", "metrics": "sum(amount)"})
    assert {g["key"]["region"]: g["metrics"]["sum(amount)"] for g in answer.json()["groups"]} == {
        region: sum(amounts) for region, amounts in AMOUNTS.items()}


def test_a_computed_field_backfill_is_shown_until_done(page: Page, api: httpx.Client) -> None:
    page.get_by_label("New field type").select_option(label="Formula (computed)")
    page.get_by_role("button", name="+ Add field").click()
    row = page.locator(".fields-list > li").last
    row.get_by_label("name").fill("doubled")
    row.get_by_role("button", name="Options").click()
    row.get_by_role("textbox", name="Formula", exact=True).fill("{amount} * 2")
    page.get_by_role("button", name="Save changes").click()
    # Then the save's answer reports the backfill (it starts after the jobs' settle time), shown until it ends
    expect(_background(page)).to_contain_text("Computing doubled for existing records")
    assert_accessible(page)
    expect(_background(page)).to_have_count(0, timeout=20_000)
    assert "computedStates" not in api.get(f"/api/collections/{SALES}").json()
    records = api.get(f"/api/collections/{SALES}/records", params={"perPage": 10}).json()["items"]
    assert sorted(r["doubled"] for r in records) == sorted(2 * a for amounts in AMOUNTS.values() for a in amounts)


def test_a_view_build_is_shown_until_done(page: Page, api: httpx.Client) -> None:
    editor = open_new_collection(page)
    editor.get_by_label("Name", exact=True).fill("jb_regions")
    editor.get_by_label("Type", exact=True).select_option("view")
    editor.get_by_label("SELECT query").fill(f"SELECT id, region FROM {SALES}")
    editor.get_by_role("button", name="Create collection").click()
    expect(page.get_by_role("heading", name="jb_regions")).to_be_visible()
    # a view's rows are built by a job after the create: its progress, then nothing once the rows are there
    expect(_background(page)).to_contain_text("Building the view")
    expect(_background(page)).to_have_count(0, timeout=20_000)
    view = api.get("/api/collections/jb_regions").json()
    assert "buildState" not in view
    rows = api.get("/api/collections/jb_regions/records", params={"sort": "region"}).json()["items"]
    assert [r["region"] for r in rows] == [region for region, amounts in AMOUNTS.items() for _ in amounts]


def test_nothing_was_refused_by_the_csp_on_the_way(problems: PageProblems) -> None:
    assert problems.csp_violations() == []
    assert problems.uncaught() == []
