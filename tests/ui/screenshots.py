"""Screenshots of the dashboard's main screens into docs/ui/*.png, from fixed data: `make screenshots`.

Each screen area adds its own entries to SCREENS: a file name, the hash route, and what to do on the page
before the shot (fill a form, open a panel). The data is seeded once by `seed`, with fixed ids and values, so a
run changes a picture only when a screen changed.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.stack_process import StackProcess
from tests.ui.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SUPERUSER_EMAIL,
    SUPERUSER_PASSWORD,
    ensure_browser_and_build,
    sign_in,
)
from tests.ui.screenshots_ops import OPS_SCREENS, seed_ops

OUT_DIR = ROOT / "docs" / "ui"
VIEWPORT = {"width": 1280, "height": 800}
# a fixed port: the API preview shows the base URL (LB_SCREENSHOTS_PORT to move it)
PORT = int(os.environ.get("LB_SCREENSHOTS_PORT", "8194"))


@dataclass(frozen=True)
class Screen:
    name: str  # docs/ui/<name>.png
    route: str  # after /_/#
    prepare: Callable[[Page], None] = lambda page: None
    signed_in: bool = True


def seed(api: httpx.Client) -> None:
    """A small blog: authors (auth), tags, posts with a relation, a select, a file and a formula."""
    api.post("/api/collections", json={"id": "pbc_tags_000001", "name": "tags", "type": "base", "listRule": "",
                                       "viewRule": "", "fields": [{"name": "label", "type": "text",
                                                                   "required": True}]}).raise_for_status()
    api.post("/api/collections", json={
        "id": "pbc_posts_00001", "name": "posts", "type": "base",
        "listRule": "status = 'published' || author = @request.auth.id", "viewRule": "status = 'published'",
        "createRule": "@request.auth.id != ''", "updateRule": "author = @request.auth.id", "deleteRule": None,
        "fields": [
            {"name": "title", "type": "text", "required": True, "max": 200},
            {"name": "status", "type": "select", "values": ["draft", "published"], "maxSelect": 1},
            {"name": "price", "type": "number", "min": 0},
            {"name": "tags", "type": "relation", "collectionId": "pbc_tags_000001", "maxSelect": 5},
            {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "cover", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png", "image/jpeg"]},
            {"name": "with_tax", "type": "formula", "formula": "{price} * 1.2"},
        ],
        "indexes": ["CREATE INDEX `idx_posts_status` ON `posts` (`status`)"],
    }).raise_for_status()


def seed_users(api: httpx.Client) -> None:
    """Users of the users screens: fixed ids and emails, one unverified, one signed in twice (two sessions)."""
    password = "Seed-pass-1234567"
    for rid, email, verified in (("seedusrann00001", "ann@example.com", True),
                                 ("seedusrbob00001", "bob@example.com", False),
                                 ("seedusrcara0001", "cara@example.com", True)):
        api.post("/api/collections/users/records", json={"id": rid, "email": email, "password": password,
                                                          "passwordConfirm": password,
                                                          "verified": verified}).raise_for_status()
    for agent in ("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "acme-cli/2.1"):
        httpx.post(f"{api.base_url}/api/collections/users/auth-with-password", headers={"User-Agent": agent},
                   json={"identity": "ann@example.com", "password": password}).raise_for_status()


def _scroll_to_sessions(page: Page) -> None:
    sessions = page.get_by_role("region", name="Sessions")
    expect(sessions.get_by_role("button", name="Revoke", exact=False)).to_have_count(2)
    # the panel scrolls by itself, the page stays put
    sessions.evaluate("""el => { const panel = el.closest('.panel');
        panel.scrollTop = el.offsetTop - panel.querySelector('.panel-head').offsetHeight - 16; }""")


def _add_an_oauth2_provider(page: Page) -> None:
    oauth = page.get_by_role("form", name="OAuth2 settings")
    oauth.get_by_label("Enable OAuth2 sign-in").check()
    oauth.get_by_role("button", name="+ Add provider").click()
    oauth.get_by_role("group", name="Provider 1").get_by_label("Client ID").fill("Iv1.8a61f9b3a7aba766")
    page.evaluate("() => document.activeElement.blur()")


def _open_field_options(page: Page) -> None:
    page.locator(".fields-list > li", has_text="status").get_by_role("button", name="Options").click()


def _type_a_rule(page: Page) -> None:
    rule = page.get_by_role("combobox", name="List/Search rule")
    rule.fill("status = 'published' || author = @request.auth.")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    expect(page.locator(".rule-field", has_text="List/Search rule").locator(".field-error")).to_be_visible()


def _show_auth_options(page: Page) -> None:
    page.get_by_role("heading", name="Auth options").evaluate("h => h.scrollIntoView({ block: 'start' })")


SCREENS: list[Screen] = [
    Screen("sign-in", "/login", signed_in=False),
    Screen("collections", "/collections"),
    Screen("schema-editor", "/collections/posts/schema", _open_field_options),
    Screen("rule-autocomplete", "/collections/posts/schema", _type_a_rule),
    Screen("api-preview", "/collections/posts/api"),
    Screen("auth-options", "/collections/users/schema", _show_auth_options),
    Screen("import-collections", "/collections/-/import"),
    # areas `users` and `settings`
    Screen("users", "/users/users/seedusrann00001", _scroll_to_sessions),
    Screen("settings-mail", "/settings/mail"),
    Screen("settings-rate-limits", "/settings/rate-limits"),
    Screen("settings-auth", "/settings/auth/users", _add_an_oauth2_provider),
    *(Screen(name, route, prepare) for name, route, prepare in OPS_SCREENS),
]


def all_screens() -> list[Screen]:
    """Every screen the README shows: SCREENS, then the records and views ones (a module that builds on Screen)."""
    from tests.ui.screenshots_data import DATA_SCREENS

    return [*SCREENS, *DATA_SCREENS]


def capture(stack: StackProcess, out_dir: Path = OUT_DIR, screens: list[Screen] = SCREENS) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale="en-US",
                                      timezone_id="UTC", device_scale_factor=1)
        page = context.new_page()
        signed = False
        for screen in screens:
            if screen.signed_in and not signed:
                sign_in(page, stack.url)
                signed = True
            if not screen.signed_in and signed:
                page.evaluate("() => sessionStorage.clear()")
                signed = False
            page.goto(f"{stack.url}/_/#{screen.route}")
            page.wait_for_load_state("networkidle")
            screen.prepare(page)
            # networkidle can come between a screen's requests: a spinner still shown means it is loading
            expect(page.locator(".spinner")).to_have_count(0)
            path = out_dir / f"{screen.name}.png"
            # the caret blinks: hide it so two runs give the same picture
            page.screenshot(path=str(path), caret="hide", animations="disabled")
            written.append(path)
        browser.close()
    return written


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # as uvicorn binds: a port whose old connections linger in TIME_WAIT is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main() -> int:
    ensure_browser_and_build()
    # another stack on the port would answer the health check and get the seed data: refuse instead
    if not _port_is_free(PORT):
        print(f"port {PORT} is taken; set LB_SCREENSHOTS_PORT to a free one", file=sys.stderr)
        return 1
    stack = StackProcess(Path(tempfile.mkdtemp()) / "data", port=PORT, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                                                 "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD})
    stack.start()
    try:
        with httpx.Client(base_url=stack.url, timeout=30) as api:
            api.headers["Authorization"] = api.post(
                "/api/collections/_superusers/auth-with-password",
                json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}).json()["token"]
            seed(api)
            seed_users(api)
            seed_ops(api)
            # the records and views data (imported here: that module builds on Screen above)
            from tests.ui.screenshots_data import seed_records_and_views

            seed_records_and_views(api)
        for path in capture(stack, screens=all_screens()):
            print(path.relative_to(ROOT))
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
