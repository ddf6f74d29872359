"""The logs, webhooks and backups entries of `make screenshots` (tests/ui/screenshots.py): their seed and screens.

The seed is fixed (a webhook with a fixed id and a loopback receiver, a few guest requests, one named backup);
what the screens show of time (log and delivery times, the backup's date) is the run's own.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.support.webhook_receiver import Receiver
from tests.ui.superuser_api import eventually

WEBHOOK_ID = "whkorders000001"
BACKUP_NAME = "pb_backup_before_launch.zip"

# Started once for the whole run and left to the process's end: the screenshot of the delivery log needs answers.
_receiver = Receiver()


def _ok(response: httpx.Response) -> None:
    assert response.is_success, f"{response.request.method} {response.request.url.path}: {response.text}"


def seed_ops(api: httpx.Client) -> None:
    """Guest requests for the logs, a delivered webhook, and a backup."""
    for path in ("/api/health", "/api/collections/posts/records", "/api/collections/missing/records",
                 "/api/collections/posts/records?filter=status='published'"):
        api.get(path, headers={"Authorization": ""})
    _receiver.thread.start()
    _ok(api.post("/api/collections/_webhooks/records", json={
        "id": WEBHOOK_ID, "url": _receiver.url, "events": ["posts.*", "auth.signin"],
        "filter": "status = 'published'", "description": "Published posts to the search indexer",
    }))
    _ok(api.post(f"/api/webhooks/{WEBHOOK_ID}/test"))
    eventually(lambda: len(_receiver.received) >= 1, what="the test delivery")
    _ok(api.post("/api/backups", json={"name": BACKUP_NAME}))
    eventually(lambda: any(b["key"] == BACKUP_NAME for b in api.get("/api/backups").json()), what="the backup")
    eventually(lambda: api.get("/api/logs", params={"perPage": 1, "filter": "data.auth = ''"}).json()["items"],
               what="the request logs")


def _logs_loaded(page: Page) -> None:
    expect(page.get_by_role("table", name="Request logs, newest first").get_by_role("row").nth(1)).to_be_visible()


def _deliveries_loaded(page: Page) -> None:
    expect(page.get_by_role("region", name="Delivery log").get_by_role("row").nth(1)).to_be_visible()


def _backup_listed(page: Page) -> None:
    expect(page.get_by_text(BACKUP_NAME)).to_be_visible()


# (name, route, prepare): screenshots.py makes them Screens
OPS_SCREENS: list[tuple[str, str, Callable[[Page], None]]] = [
    ("logs", "/logs", _logs_loaded),
    ("webhooks", f"/webhooks/{WEBHOOK_ID}", _deliveries_loaded),
    ("backups", "/backups", _backup_listed),
]
