"""The dashboard shell: sign in, the collections sidebar and top navigation, axe-clean, sign-out and a lost session."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import PageProblems, assert_accessible

NAV = ["Collections", "Users", "Logs", "Webhooks", "Backups", "Settings"]


def test_signed_in_the_shell_shows_the_navigation_and_the_collections_sidebar(page: Page,
                                                                             problems: PageProblems) -> None:
    # Given a signed-in superuser (the module's page), Then the top navigation has every area in order
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(NAV)
    expect(nav.get_by_role("link", name="Collections")).to_have_class("active")
    # and the sidebar lists the system collections under System, with a search box and the create button
    sidebar = page.get_by_role("complementary", name="Collections")
    sidebar.locator("summary", has_text="System").click()
    expect(sidebar.get_by_role("link", name="_superusers")).to_be_visible()
    expect(sidebar.get_by_role("link", name="New collection")).to_be_visible()
    # and the screen meets axe's serious/critical rules, under the strict CSP with nothing refused
    assert_accessible(page)
    assert problems.csp_violations() == []
    assert problems.uncaught() == []


def test_the_sidebar_search_filters_collections(page: Page) -> None:
    sidebar = page.get_by_role("complementary", name="Collections")
    sidebar.get_by_label("Search collections").fill("super")
    expect(sidebar.get_by_role("link", name="_superusers")).to_be_visible()
    expect(sidebar.get_by_role("link", name="_otps")).to_have_count(0)
    sidebar.get_by_label("Search collections").fill("")


def test_the_session_lives_in_session_storage_never_local_storage(page: Page) -> None:
    stored = page.evaluate("() => [Object.keys(sessionStorage), Object.keys(localStorage)]")
    assert stored == [["lb_admin_auth"], []]


def test_a_rejected_token_sends_the_user_back_to_sign_in(page: Page, ui_stack: StackProcess) -> None:
    # Given the stored token stops being valid (a forged one stands for an expired or revoked token)
    page.evaluate("""() => {
        const saved = JSON.parse(sessionStorage.getItem('lb_admin_auth'));
        const [h, p] = saved.token.split('.');
        saved.token = h + '.' + p + '.forged-signature';
        sessionStorage.setItem('lb_admin_auth', JSON.stringify(saved));
    }""")
    # When the dashboard loads and its first API call answers 401
    page.reload()
    # Then the sign-in screen is back, and the bad token is gone
    expect(page.get_by_role("form", name="Superuser sign-in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('lb_admin_auth')") is None
    assert httpx.get(ui_stack.url + "/api/health").status_code == 200


def test_the_sign_in_screen_shows_the_api_error_and_keeps_the_email(page: Page) -> None:
    form = page.get_by_role("form", name="Superuser sign-in")
    form.get_by_label("Email").fill("admin@example.com")
    form.get_by_label("Password").fill("wrong-password-123")
    form.get_by_role("button", name="Sign in").click()
    expect(form.get_by_role("alert")).to_have_text("Failed to authenticate.")
    expect(form.get_by_label("Email")).to_have_value("admin@example.com")
    assert_accessible(page)


def test_sign_out_ends_the_session(page: Page, ui_stack: StackProcess) -> None:
    from tests.ui.browser import sign_in

    sign_in(page, ui_stack.url)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("form", name="Superuser sign-in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    # and a superuser-only address now leads to sign-in too
    page.goto(ui_stack.url + "/_/#/collections")
    expect(page.get_by_role("form", name="Superuser sign-in")).to_be_visible()
