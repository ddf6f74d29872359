"""Screenshots of the main screens for docs/ui/, written only when LB_UI_SCREENSHOTS=1 (`make test` leaves the tree).

`LB_UI_SCREENSHOTS=1 make test-ui` refreshes them; the tests that take them build deterministic data first.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

DOCS_UI = Path(__file__).resolve().parents[2] / "docs" / "ui"


def save_screenshot(page: Page, name: str) -> None:
    """docs/ui/<name>.png of the whole page, when screenshots are asked for."""
    if os.environ.get("LB_UI_SCREENSHOTS") != "1":
        return
    DOCS_UI.mkdir(exist_ok=True)
    # toasts of earlier steps are not part of the screen
    for dismiss in page.locator(".toast").get_by_role("button", name="Dismiss").all():
        dismiss.click()
    page.screenshot(path=str(DOCS_UI / f"{name}.png"), full_page=True, animations="disabled", caret="hide")
