"""First run: with no superuser, `lambdabase run` prints a one-time link whose screen creates the first one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import assert_accessible
from tests.ui.conftest import new_context

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/_/#/pbinstall/(lb_[A-Za-z0-9_-]+))")
EMAIL, PASSWORD = "first@example.com", "First-pass-1234567"


@pytest.fixture(scope="module")
def fresh_stack(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[StackProcess]:
    """A stack with no superuser at all (no LB_SUPERUSER_* bootstrap)."""
    proc = StackProcess(tmp_path_factory.mktemp("ui-first-run") / "data").start()
    yield proc
    proc.discard()


@pytest.fixture(scope="module")
def fresh_page(browser: Browser, fresh_stack: StackProcess) -> Iterator[Page]:
    context = new_context(browser, fresh_stack.url)
    yield context.new_page()
    context.close()


def _link(stack: StackProcess) -> tuple[str, str]:
    found = LINK.search(stack.logs())
    assert found, "the banner prints the one-time link"
    return found.group(1), found.group(2)


def test_the_install_token_does_nothing_but_create_a_superuser(fresh_stack: StackProcess) -> None:
    _, token = _link(fresh_stack)
    headers = {"Authorization": token}
    # it reads nothing: not the superusers, not the collections, not the settings
    assert httpx.get(fresh_stack.url + "/api/collections/_superusers/records", headers=headers).status_code == 403
    assert httpx.get(fresh_stack.url + "/api/collections", headers=headers).status_code == 403
    assert httpx.get(fresh_stack.url + "/api/settings", headers=headers).status_code == 403
    # and it cannot sign in anywhere or mint other tokens
    refresh = httpx.post(fresh_stack.url + "/api/collections/_superusers/auth-refresh", headers=headers)
    assert refresh.status_code in (401, 403)


def test_the_link_creates_the_first_superuser_and_signs_in(fresh_stack: StackProcess, fresh_page: Page) -> None:
    link, token = _link(fresh_stack)
    # When the operator opens the printed link
    fresh_page.goto(link)
    form = fresh_page.get_by_role("form", name="Create the first superuser")
    expect(form).to_be_visible()
    assert_accessible(fresh_page)
    # and submits mismatching passwords first, the API's field error shows and the values stay
    form.get_by_label("Email").fill(EMAIL)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password confirm").fill(PASSWORD + "x")
    form.get_by_role("button", name="Create superuser and sign in").click()
    expect(form.locator(".field-error")).to_have_count(1)
    expect(form.get_by_label("Email")).to_have_value(EMAIL)
    # then with matching ones, the superuser exists and the dashboard opens signed in
    form.get_by_label("Password confirm").fill(PASSWORD)
    form.get_by_role("button", name="Create superuser and sign in").click()
    expect(fresh_page.get_by_role("complementary", name="Collections")).to_be_visible()
    signed_in = httpx.post(fresh_stack.url + "/api/collections/_superusers/auth-with-password",
                           json={"identity": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 200
    superuser = {"Authorization": signed_in.json()["token"]}
    # and the installer placeholder is gone: the first superuser is the only one
    listed = httpx.get(fresh_stack.url + "/api/collections/_superusers/records", headers=superuser).json()
    assert [r["email"] for r in listed["items"]] == [EMAIL]
    # and the link is dead: a second superuser cannot be made with it
    again = httpx.post(fresh_stack.url + "/api/collections/_superusers/records", headers={"Authorization": token},
                       json={"email": "second@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert again.status_code == 401


def test_the_dead_link_says_so(fresh_stack: StackProcess, fresh_page: Page) -> None:
    link, _ = _link(fresh_stack)
    fresh_page.evaluate("() => sessionStorage.clear()")
    fresh_page.goto(link)
    form = fresh_page.get_by_role("form", name="Create the first superuser")
    form.get_by_label("Email").fill("late@example.com")
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password confirm").fill(PASSWORD)
    form.get_by_role("button", name="Create superuser and sign in").click()
    expect(form.get_by_role("alert")).to_have_text("The request requires valid record authorization token.")
