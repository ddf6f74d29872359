"""The UI tests' browser side: Debian's chromium under Playwright, signing in, and the axe-core check.

Helpers of every UI area use `assert_accessible(page)` on each screen they add, `sign_in(page, ...)`, and
`open_new_collection(page)` and `save_schema(page, name)` in the schema editor.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = ROOT / "ui" / "node_modules" / "axe-core" / "axe.min.js"
DIST_INDEX = ROOT / "ui" / "dist" / "index.html"
# No sandbox (root in a container), no GPU, and nothing that phones home: tests talk to loopback only.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUPERUSER_EMAIL = "admin@example.com"
SUPERUSER_PASSWORD = "Admin-pass-1234567"
# axe impacts the issue tolerates none of
BLOCKING_IMPACTS = ("serious", "critical")


def ensure_browser_and_build() -> None:
    """The Makefile's own targets: chromium from apt when missing, and a built dashboard when ui/dist is missing."""
    if not CHROMIUM.exists():
        subprocess.run(["make", "browser"], cwd=ROOT, check=True)
    if not DIST_INDEX.exists():
        subprocess.run(["make", "ui/dist/index.html"], cwd=ROOT, check=True)


def sign_in(page: Page, base_url: str, email: str = SUPERUSER_EMAIL, password: str = SUPERUSER_PASSWORD) -> None:
    """Sign in through the sign-in screen and wait for the collections sidebar."""
    page.goto(base_url + "/_/#/login")
    form = page.get_by_role("form", name="Superuser sign-in")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("complementary", name="Collections")).to_be_visible()


def open_new_collection(page: Page) -> Locator:
    """Follow the sidebar's "+ New collection" and return the empty schema form, once it replaced the last one."""
    page.get_by_role("link", name="+ New collection").click()
    expect(page.get_by_role("heading", name="New collection", exact=True)).to_be_visible()
    editor = page.get_by_role("form", name="Collection schema")
    expect(editor.get_by_label("Name", exact=True)).to_have_value("")
    return editor


def save_schema(page: Page, name: str) -> None:
    """Save the schema editor's draft and wait for this save to land (an earlier save's toast may still show)."""
    actions = page.locator(".form-actions")
    expect(actions.get_by_text("Unsaved changes")).to_be_visible()
    actions.get_by_role("button", name="Save changes").click()
    expect(actions.get_by_text("Unsaved changes")).to_have_count(0)
    expect(page.locator(".toast", has_text=f"Saved {name}.").last).to_be_visible()


def assert_accessible(page: Page, selector: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or one part) and fail on any serious or critical violation; returns the rest.

    axe is evaluated through the DevTools protocol rather than as a <script> tag: the dashboard's CSP refuses
    inline scripts, and the tests keep that CSP on (they would miss a violation with bypass_csp).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    context = json.dumps(selector) if selector else "document"
    results = page.evaluate(f"""async () => {{
        const r = await axe.run({context}, {{ resultTypes: ['violations'] }});
        return r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help,
                                         nodes: v.nodes.map(n => n.target.join(' ')) }}));
    }}""")
    blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, "axe found serious/critical violations:\n" + json.dumps(blocking, indent=2)
    return list(results)


class PageProblems:
    """Console errors, CSP refusals and uncaught exceptions of a page, collected while a test module runs."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda msg: self.messages.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.messages.append(f"uncaught: {exc}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]

    def uncaught(self) -> list[str]:
        return [m for m in self.messages if m.startswith("uncaught:")]
