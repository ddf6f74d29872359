"""The settings screens: saves checked through the API, masked secrets, the test email, rate limits, auth options."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, PageProblems, assert_accessible

SECRET = "smtp-Secret-never-shown-42"
CLIENT_SECRET = "oauth-client-Secret-never-shown-7"
SECTIONS = ["Application", "Mail", "Files storage", "Backups schedule", "Rate limits", "OAuth2 providers"]


@pytest.fixture(scope="module")
def api(ui_stack: StackProcess) -> Iterator[httpx.Client]:
    signed = httpx.post(ui_stack.url + "/api/collections/_superusers/auth-with-password",
                        json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
    with httpx.Client(base_url=ui_stack.url, headers={"Authorization": signed.json()["token"]}, timeout=30) as client:
        yield client


def _open(page: Page, section: str) -> None:
    page.goto("/_/#/settings")
    page.get_by_role("navigation", name="Settings sections").get_by_role("link", name=section).click()
    expect(page.get_by_role("heading", level=1, name=section)).to_be_visible()
    # the heading and the spinner render together: no spinner next to the heading means the form is there
    expect(page.get_by_role("status", name="Loading settings")).to_have_count(0)


def _toast(page: Page, text: str) -> None:
    """Waits for the toast saying `text`, then dismisses it, so the next save's same toast is a new one."""
    toast = page.locator(".toast", has_text=text)
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_every_settings_section_is_accessible(page: Page) -> None:
    for section in SECTIONS:
        _open(page, section)
        assert_accessible(page)


def test_application_settings_save_round_trip_and_keep_values_on_error(page: Page, api: httpx.Client) -> None:
    before = api.get("/api/settings").json()
    _open(page, "Application")
    form = page.get_by_role("form", name="Application settings")
    # When the URL is not a URL, the API's error is next to it and the typed name stays
    form.get_by_label("Application name").fill("Acme Admin")
    form.get_by_label("Application URL").fill("not a url")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_have_text("An error occurred while saving the new settings.")
    expect(form.locator(".field-invalid").get_by_label("Application URL")).to_be_visible()
    expect(form.get_by_label("Application name")).to_have_value("Acme Admin")
    assert api.get("/api/settings").json()["meta"]["appName"] != "Acme Admin"
    # When fixed, with batch on and a trusted proxy header, everything is saved
    form.get_by_label("Application URL").fill("https://admin.example.com")
    form.get_by_label("Enable batch requests").check()
    form.get_by_label("Max requests in a batch").fill("40")
    form.get_by_label("Headers (comma-separated)").fill("CF-Connecting-IP")
    form.get_by_role("button", name="Save changes").click()
    _toast(page, "Settings saved.")
    saved = api.get("/api/settings").json()
    assert saved["meta"]["appName"] == "Acme Admin" and saved["meta"]["appURL"] == "https://admin.example.com"
    assert saved["batch"]["enabled"] is True and saved["batch"]["maxRequests"] == 40
    assert saved["trustedProxy"]["headers"] == ["CF-Connecting-IP"]
    # and a reload shows what is stored
    page.reload()
    reloaded = page.get_by_role("form", name="Application settings")
    expect(reloaded.get_by_label("Application name")).to_have_value("Acme Admin")
    # the session's stack is shared by the other UI modules: back to what they expect
    api.patch("/api/settings", json={k: before[k] for k in ("meta", "batch", "trustedProxy")})


def test_a_secret_is_sent_once_and_never_shown(page: Page, api: httpx.Client) -> None:
    _open(page, "Mail")
    form = page.get_by_role("form", name="Mail settings")
    password = form.get_by_label("Password")
    # Given no SMTP password stored yet, the field says so (Lambdabase's GET /api/settings/secrets)
    expect(password).to_have_accessible_description(re.compile("^Not set"))
    password.fill(SECRET)
    form.get_by_label("Username").fill("mailer")
    form.get_by_role("button", name="Save changes").click()
    _toast(page, "Settings saved.")
    # Then the field says set, is emptied of the secret, and nothing of it is in the page, now or after a reload
    expect(password).to_have_accessible_description(re.compile("^Set:"))
    expect(password).to_have_attribute("placeholder", "Unchanged")
    expect(password).to_have_value("")
    assert SECRET not in page.content()
    page.reload()
    expect(page.get_by_role("form", name="Mail settings").get_by_label("Username")).to_have_value("mailer")
    assert SECRET not in page.content()
    assert SECRET not in json.dumps(api.get("/api/settings").json())
    # and a later save without typing it keeps the stored one
    reloaded = page.get_by_role("form", name="Mail settings")
    reloaded.get_by_label("Username").fill("mailer2")
    reloaded.get_by_role("button", name="Save changes").click()
    _toast(page, "Settings saved.")
    assert api.get("/api/settings/secrets").json()["smtp.password"] is True
    assert api.get("/api/settings").json()["smtp"]["username"] == "mailer2"


def test_a_test_email_is_sent_through_ses_to_the_local_outbox(page: Page, ui_stack: StackProcess) -> None:
    _open(page, "Mail")
    page.get_by_role("button", name="Send a test email").click()
    dialog = page.get_by_role("dialog", name="Send a test email")
    form = dialog.get_by_role("form", name="Send a test email")
    # a missing address is the API's field error, in the dialog
    form.get_by_role("button", name="Send").click()
    expect(form.locator(".field-invalid").get_by_label("To address")).to_be_visible()
    assert_accessible(page)
    form.get_by_label("Template").select_option("password-reset")
    form.get_by_label("To address").fill("probe@example.com")
    form.get_by_role("button", name="Send").click()
    _toast(page, "Test email sent to probe@example.com.")
    mails = [json.loads(p.read_text()) for p in sorted(Path(ui_stack.data_dir, "mail").glob("*.json"))]
    to_probe = [m for m in mails if "probe@example.com" in m["message"]["to"]]
    assert len(to_probe) == 1 and "password" in to_probe[0]["message"]["subject"].lower()


def test_the_s3_test_shows_the_apis_answer(page: Page) -> None:
    _open(page, "Files storage")
    page.get_by_role("button", name="Test the saved S3 connection").click()
    expect(page.get_by_role("alert")).to_contain_text("S3 storage filesystem is not enabled.")


def test_backups_schedule_saves_cron_and_max_keep(page: Page, api: httpx.Client) -> None:
    _open(page, "Backups schedule")
    form = page.get_by_role("form", name="Backups schedule settings")
    form.get_by_label("Cron expression").fill("0 0 * * 99")
    form.get_by_role("button", name="Save changes").click()
    expect(form.locator(".field-invalid").get_by_label("Cron expression")).to_be_visible()
    form.get_by_label("Cron expression").fill("30 2 * * *")
    form.get_by_label("Automatic backups to keep").fill("5")
    form.get_by_role("button", name="Save changes").click()
    _toast(page, "Settings saved.")
    backups = api.get("/api/settings").json()["backups"]
    assert (backups["cron"], backups["cronMaxKeep"]) == ("30 2 * * *", 5)
    api.patch("/api/settings", json={"backups": {"cron": ""}})


def test_rate_limit_rules_are_edited_as_a_table(page: Page, api: httpx.Client) -> None:
    _open(page, "Rate limits")
    form = page.get_by_role("form", name="Rate limits settings")
    rows = form.locator("tbody tr")
    before = rows.count()
    form.get_by_role("button", name="+ Add rule").click()
    n = before + 1
    # an empty new rule: its own row shows the API's errors
    form.get_by_role("button", name="Save changes").click()
    expect(form.locator(".field-invalid").get_by_label(f"Rule {n} label")).to_be_visible()
    form.get_by_label(f"Rule {n} label").fill("GET /api/ui-test")
    form.get_by_label(f"Rule {n} audience").select_option("@guest")
    form.get_by_label(f"Rule {n} max requests").fill("500")
    form.get_by_label(f"Rule {n} duration").fill("10")
    form.get_by_role("button", name="Save changes").click()
    _toast(page, "Rate limits saved.")
    rules = api.get("/api/settings").json()["rateLimits"]["rules"]
    assert {"label": "GET /api/ui-test", "audience": "@guest", "maxRequests": 500, "duration": 10} in rules
    assert len(rules) == n


def test_oauth2_providers_per_auth_collection(page: Page, api: httpx.Client) -> None:
    _open(page, "OAuth2 providers")
    page.get_by_role("navigation", name="Auth collections").get_by_role("link", name="users", exact=True).click()
    # token lifetimes are collection options: the page points to them in the schema editor
    options = page.get_by_role("link", name="auth options of users")
    expect(options).to_have_attribute("href", "#/collections/users/schema")
    # OAuth2: a provider without its client id is refused next to the field, then saved with it
    oauth = page.get_by_role("form", name="OAuth2 settings")
    oauth.get_by_label("Enable OAuth2 sign-in").check()
    oauth.get_by_role("button", name="+ Add provider").click()
    provider = oauth.get_by_role("group", name="Provider 1")
    provider.get_by_label("Client secret").fill(CLIENT_SECRET)
    oauth.get_by_role("button", name="Save OAuth2").click()
    expect(provider.locator(".field-invalid").get_by_label("Client ID")).to_be_visible()
    expect(provider.get_by_label("Client secret")).to_have_value(CLIENT_SECRET)
    provider.get_by_label("Client ID").fill("Iv1.ui-test")
    oauth.get_by_role("button", name="Save OAuth2").click()
    _toast(page, "OAuth2 of users saved.")
    stored = api.get("/api/collections/users").json()["oauth2"]
    assert stored["enabled"] is True
    assert [(p["name"], p["clientId"]) for p in stored["providers"]] == [("github", "Iv1.ui-test")]
    # the secret is never answered nor shown; saving again without it keeps it (the API still validates)
    saved_provider = page.get_by_role("form", name="OAuth2 settings").get_by_role("group", name="Provider 1")
    expect(saved_provider.get_by_label("Client secret")).to_have_attribute("placeholder", "Unchanged")
    assert CLIENT_SECRET not in page.content()
    saved_provider.get_by_label("Display name").fill("GitHub SSO")
    page.get_by_role("form", name="OAuth2 settings").get_by_role("button", name="Save OAuth2").click()
    _toast(page, "OAuth2 of users saved.")
    assert api.get("/api/collections/users").json()["oauth2"]["providers"][0]["displayName"] == "GitHub SSO"
    assert_accessible(page)
    api.patch("/api/collections/users", json={"oauth2": {"enabled": False, "providers": []}})


def test_the_settings_screens_broke_no_csp_rule_and_threw_nothing(problems: PageProblems) -> None:
    # runs last in the module: everything the module's page did, under the strict CSP
    assert problems.csp_violations() == []
    assert problems.uncaught() == []
