"""UI tests: one local stack process per session; one headless chromium and one signed-in page per module.

Playwright's sync API keeps an asyncio loop marked as running on the main thread while it is started, so it
lives for one module only: the next test file on the same xdist worker (an asyncio one) must find no loop."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.stack_process import StackProcess
from tests.support.suite_timers import SUBSCRIPTIONS_CACHE_ENV
from tests.ui.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SUPERUSER_EMAIL,
    SUPERUSER_PASSWORD,
    PageProblems,
    ensure_browser_and_build,
    sign_in,
)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    ensure_browser_and_build()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def ui_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """`lambdabase run` (a real socket for the browser, serving the built dashboard) with a bootstrapped superuser."""
    ensure_browser_and_build()
    data = tmp_path_factory.mktemp("ui") / "data"
    # index builds start after 1 s, not 32 (their settle time, docs/data-model.md), so a test sees one finish
    proc = StackProcess(data, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                   "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD, "LB_JOBS_SETTLE_S": "1",
                                   **SUBSCRIPTIONS_CACHE_ENV}).start()
    yield proc
    proc.discard()


def new_context(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800},
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="module")
def page(browser: Browser, ui_stack: StackProcess) -> Iterator[Page]:
    """A page signed in as the session's superuser, shared by the tests of one module."""
    context = new_context(browser, ui_stack.url)
    page = context.new_page()
    page.problems = PageProblems(page)  # type: ignore[attr-defined]
    sign_in(page, ui_stack.url)
    yield page
    context.close()


@pytest.fixture
def problems(page: Page) -> PageProblems:
    """What the module's page logged: CSP refusals, console errors and uncaught exceptions."""
    return page.problems  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    """The stack's API as the session's superuser, to seed a module's data and check what the UI did."""
    client = ui_stack.client()
    client.headers["Authorization"] = client.post(
        "/api/collections/_superusers/auth-with-password",
        json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}).json()["token"]
    yield client
    client.close()
