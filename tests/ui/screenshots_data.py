"""The records and views screens of `make screenshots`: a tasks collection with fixed ids, records and saved views."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.ui.records_seed import png_bytes
from tests.ui.screenshots import Screen

TASKS_ID = "pbc_tasks_00001"
VIEW_IDS = {"grid": "vwgrid000000001", "kanban": "vwkanban0000001", "calendar": "vwcalendar00001",
            "gallery": "vwgallery000001", "form": "vwform000000001"}
# (id, title, stage, rank, points, due day in March 2026, cover colour or None)
TASKS = [
    ("task00000000001", "Draft the launch post", "todo", 1, 3, 2, (29, 78, 216)),
    ("task00000000002", "Pick a cover photo", "todo", 2, 1, 5, (180, 83, 9)),
    # no cover: the record panel's picture shows it, and an uploaded file's name has a random suffix
    ("task00000000003", "Review pricing page", "doing", 1, 5, 9, None),
    ("task00000000004", "Record the demo", "doing", 2, 8, 12, (185, 28, 28)),
    ("task00000000005", "Publish the changelog", "done", 1, 2, 17, (75, 83, 96)),
    ("task00000000006", "Email the beta users", "done", 2, 3, 24, (30, 64, 175)),
]


def seed_records_and_views(api: httpx.Client) -> None:
    """Tasks linked to the blog's tags, each with a cover, and one saved view of every type over them."""
    api.post("/api/collections", json={"id": TASKS_ID, "name": "tasks", "type": "base", "fields": [
        {"name": "title", "type": "text", "required": True, "presentable": True},
        {"name": "cover", "type": "file", "maxSelect": 1, "thumbs": ["100x100"], "mimeTypes": ["image/png"]},
        {"name": "stage", "type": "select", "values": ["todo", "doing", "done"], "maxSelect": 1},
        {"name": "tag", "type": "relation", "collectionId": "pbc_tags_000001", "maxSelect": 1},
        {"name": "points", "type": "number"},
        {"name": "rank", "type": "number"},
        {"name": "due", "type": "date"},
        {"name": "notes", "type": "json"},
        {"name": "effort", "type": "formula", "formula": "{points} * 2"},
    ]}).raise_for_status()
    tag = api.post("/api/collections/tags/records", json={"id": "tag000000000001", "label": "launch"})
    tag.raise_for_status()
    for rid, title, stage, rank, points, day, colour in TASKS:
        api.post(f"/api/collections/{TASKS_ID}/records", data={
            "id": rid, "title": title, "stage": stage, "rank": str(rank), "points": str(points),
            "due": f"2026-03-{day:02d} 09:00:00.000Z", "tag": "tag000000000001", "notes": '{"owner": "sam"}'},
            files={"cover": (f"{rid}.png", png_bytes(colour), "image/png")} if colour else None).raise_for_status()
    views: list[dict[str, Any]] = [
        {"name": "Backlog", "type": "grid", "sort": "rank", "fields": ["id", "title", "stage", "points", "due", "tag"]},
        {"name": "Board", "type": "kanban", "options": {"stackField": "stage", "rankField": "rank"}},
        {"name": "Schedule", "type": "calendar", "options": {"dateField": "due"}},
        {"name": "Covers", "type": "gallery", "options": {"coverField": "cover"}},
        {"name": "Request a task", "type": "form", "slug": "request-a-task", "options": {"form": {
            "fields": [{"name": "title", "label": "What should we do?", "required": True},
                       {"name": "points", "label": "Effort (points)", "help": "1 is an hour, 8 a week"}],
            "hidden": [{"name": "stage", "value": "todo"}], "successMessage": "Thanks, it is on the board."}}},
    ]
    for view in views:
        api.post("/api/collections/_views/records", json={"id": VIEW_IDS[str(view["type"])], "collection": TASKS_ID,
                                                          **view}).raise_for_status()


def _view(kind: str) -> str:
    return f"/collections/tasks/views/{VIEW_IDS[kind]}"


def _wait_for_thumbnails(page: Page) -> None:
    expect(page.get_by_role("img").first).to_be_visible()
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    page.mouse.move(0, 0)  # no hover outline in the picture


def _wait_for_cards(page: Page) -> None:
    expect(page.locator(".kanban-card").first).to_be_visible()


def _wait_for_events(page: Page) -> None:
    expect(page.locator(".calendar-event").first).to_be_visible()


def _wait_for_preview(page: Page) -> None:
    expect(page.locator(".form-preview").get_by_label("What should we do?")).to_be_visible()


DATA_SCREENS: list[Screen] = [
    Screen("records-grid", "/collections/tasks/records", _wait_for_thumbnails),
    Screen("record-panel", "/collections/tasks/records?record=task00000000003", _wait_for_thumbnails),
    Screen("kanban", _view("kanban"), _wait_for_cards),
    Screen("calendar", _view("calendar") + "?date=2026-03-01", _wait_for_events),
    Screen("gallery", _view("gallery"), _wait_for_thumbnails),
    Screen("form-editor", _view("form"), _wait_for_preview),
    Screen("public-form", "/forms/request-a-task",
           lambda page: expect(page.get_by_label("What should we do?")).to_be_visible(), signed_in=False),
]
