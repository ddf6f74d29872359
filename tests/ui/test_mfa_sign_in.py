"""Superuser sign-in with a second factor: a superuser with TOTP gets PocketBase's MFA 401 {mfaId} after the
password, and the screen asks for the authenticator code (docs/api-auth.md#totp-lambdabase)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, assert_accessible
from tests.ui.conftest import new_context

EMAIL, PASSWORD = "mfa-admin@example.com", "Mfa-admin-pass-123"


@pytest.fixture(scope="module")
def totp_secret(ui_stack: StackProcess) -> str:
    """A second superuser with a confirmed TOTP factor; its secret."""
    with httpx.Client(base_url=ui_stack.url, timeout=30) as api:
        api.headers["Authorization"] = api.post(
            "/api/collections/_superusers/auth-with-password",
            json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}).json()["token"]
        created = api.post("/api/collections/_superusers/records",
                           json={"email": EMAIL, "password": PASSWORD, "passwordConfirm": PASSWORD})
        created.raise_for_status()
        base = f"/api/collections/_superusers/records/{created.json()['id']}/totp"
        secret = str(api.post(base + "/enroll").json()["secret"])
        api.post(base + "/confirm", json={"code": pyotp.TOTP(secret).now()}).raise_for_status()
    return secret


@pytest.fixture(scope="module")
def guest_page(browser: Browser, ui_stack: StackProcess) -> Iterator[Page]:
    context = new_context(browser, ui_stack.url)
    yield context.new_page()
    context.close()


def test_a_totp_superuser_signs_in_with_the_code(guest_page: Page, ui_stack: StackProcess, totp_secret: str) -> None:
    page = guest_page
    page.goto(ui_stack.url + "/_/#/login")
    form = page.get_by_role("form", name="Superuser sign-in")
    form.get_by_label("Email").fill(EMAIL)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    # the password was right: the second step asks for the code, signed out still
    step = page.get_by_role("form", name="Second factor")
    expect(step).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('lb_admin_auth')") is None
    assert_accessible(page)
    # a wrong code answers the API's error and keeps the step
    step.get_by_label("Authentication code").fill("000000" if pyotp.TOTP(totp_secret).now() != "000000" else "111111")
    step.get_by_role("button", name="Verify").click()
    expect(step.get_by_role("alert")).to_be_visible()
    # the right one signs in: the next step's code (accepted one step either side), as the current one was spent
    # confirming the enrolment and a code works once
    step.get_by_label("Authentication code").fill(pyotp.TOTP(totp_secret).at(time.time() + 30))
    step.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("complementary", name="Collections")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(EMAIL)
