"""The users screens: auth records filtered and edited, sessions revoked, TOTP reset, impersonation and API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack_process import StackProcess
from tests.ui.browser import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, PageProblems, assert_accessible

PASSWORD = "User-pass-1234567"


@dataclass
class People:
    api: httpx.Client  # signed in as the session's superuser
    ann: dict[str, str]  # verified, two live sessions
    bob: dict[str, str]  # unverified, TOTP on
    ann_tokens: list[str]


def _sign_in(stack: StackProcess, email: str) -> str:
    answer = httpx.post(stack.url + "/api/collections/users/auth-with-password",
                        json={"identity": email, "password": PASSWORD}, headers={"User-Agent": "ui-test"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


@pytest.fixture(scope="module")
def people(ui_stack: StackProcess) -> Iterator[People]:
    signed = httpx.post(ui_stack.url + "/api/collections/_superusers/auth-with-password",
                        json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
    api = httpx.Client(base_url=ui_stack.url, headers={"Authorization": signed.json()["token"]}, timeout=30)
    made = {}
    for name, verified in (("ann", True), ("bob", False)):
        created = api.post("/api/collections/users/records",
                           json={"email": f"{name}@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD,
                                 "verified": verified})
        assert created.status_code == 200, created.text
        made[name] = created.json()
    ann_tokens = [_sign_in(ui_stack, "ann@example.com") for _ in range(2)]
    # bob has an authenticator app (enrolled and confirmed through the API as a superuser may)
    bob = f"/api/collections/users/records/{made['bob']['id']}/totp"
    secret = api.post(bob + "/enroll").json()["secret"]
    assert api.post(bob + "/confirm", json={"code": pyotp.TOTP(secret).now()}).status_code == 200
    yield People(api, made["ann"], made["bob"], ann_tokens)
    api.close()


def _open_users(page: Page, path: str = "/users/users") -> None:
    page.goto(f"/_/#{path}")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()


def _emails(page: Page) -> list[str]:
    table = page.get_by_role("region", name="users records").get_by_role("table")
    expect(table).to_be_visible()
    return [t.strip() for t in table.locator("tbody td:first-child").all_inner_texts()]


def test_the_list_filters_by_verified_and_by_a_filter(page: Page, people: People, problems: PageProblems) -> None:
    # Given ann (verified) and bob (unverified), When the users screen opens, Then both are listed
    _open_users(page)
    expect(page.get_by_role("link", name="bob@example.com")).to_be_visible()
    assert sorted(_emails(page)) == ["ann@example.com", "bob@example.com"]
    assert_accessible(page)
    # When "Unverified" is picked, only bob is left; "Verified", only ann
    page.get_by_label("Verified").select_option("unverified")
    expect(page.get_by_role("link", name="ann@example.com")).to_have_count(0)
    assert _emails(page) == ["bob@example.com"]
    page.get_by_label("Verified").select_option("verified")
    expect(page.get_by_role("link", name="bob@example.com")).to_have_count(0)
    # and a PocketBase filter narrows further; a bad one shows the API's message
    page.get_by_label("Verified").select_option("all")
    page.get_by_label("Filter", exact=True).fill("email ~ 'bob'")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="ann@example.com")).to_have_count(0)
    page.get_by_label("Filter", exact=True).fill("email ~")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("filter")
    page.get_by_label("Filter", exact=True).fill("")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="ann@example.com")).to_be_visible()
    assert problems.uncaught() == []


def test_create_keeps_the_values_on_a_failed_save_then_creates(page: Page, people: People) -> None:
    _open_users(page, "/users/users/new")
    form = page.get_by_role("form", name="Create user")
    form.get_by_label("Email", exact=True).fill("cara@example.com")
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password confirm").fill(PASSWORD + "x")
    form.get_by_role("button", name="Create").click()
    # the API's error sits next to the field it names, and the form keeps what was typed
    expect(form.locator(".field-invalid").get_by_label("Password confirm")).to_be_visible()
    expect(form.get_by_label("Email", exact=True)).to_have_value("cara@example.com")
    form.get_by_label("Password confirm").fill(PASSWORD)
    form.get_by_label("Verified").check()
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("complementary", name="User cara@example.com")).to_be_visible()
    found = people.api.get("/api/collections/users/records", params={"filter": "email = 'cara@example.com'"}).json()
    assert [(r["email"], r["verified"]) for r in found["items"]] == [("cara@example.com", True)]
    # and the new password signs in
    assert httpx.post(str(people.api.base_url) + "/api/collections/users/auth-with-password",
                      json={"identity": "cara@example.com", "password": PASSWORD}).status_code == 200


def test_a_revoked_session_ends_its_token(page: Page, people: People, ui_stack: StackProcess) -> None:
    ann = people.ann
    _open_users(page, f"/users/users/{ann['id']}")
    panel = page.get_by_role("complementary", name="User ann@example.com")
    sessions = panel.get_by_role("region", name="Sessions")
    expect(sessions.get_by_role("button", name="Revoke", exact=False)).to_have_count(2)
    assert_accessible(page)
    # the panel lists sessions as the API does, most recently used first
    listed = people.api.get(f"/api/collections/users/records/{ann['id']}/sessions").json()
    # When the last row's session is revoked in the panel
    sessions.get_by_role("button", name="Revoke").last.click()
    expect(sessions.get_by_role("button", name="Revoke", exact=False)).to_have_count(1)
    # Then the API lists only the other one, and exactly one of ann's two tokens still refreshes
    left = people.api.get(f"/api/collections/users/records/{ann['id']}/sessions").json()
    assert [s["id"] for s in left] == [listed[0]["id"]]
    statuses = sorted(httpx.post(ui_stack.url + "/api/collections/users/auth-refresh",
                                 headers={"Authorization": t}).status_code for t in people.ann_tokens)
    assert statuses == [200, 401]


def test_impersonation_gives_a_token_that_works(page: Page, people: People, ui_stack: StackProcess) -> None:
    bob = people.bob
    _open_users(page, f"/users/users/{bob['id']}")
    section = page.get_by_role("region", name="Impersonate")
    section.get_by_label("Duration in seconds").fill("120")
    section.get_by_role("button", name="Get a token").click()
    token_box = section.get_by_label("Token of bob@example.com")
    expect(token_box).not_to_have_value("")
    expect(section.get_by_text("Valid for 2 minutes")).to_be_visible()
    token = token_box.input_value()
    # the copy button puts exactly the token on the clipboard
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    section.get_by_role("button", name="Copy token").click()
    expect(section.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == token
    # the token acts as bob (users' viewRule is `id = @request.auth.id`) and cannot be refreshed
    me = httpx.get(ui_stack.url + f"/api/collections/users/records/{bob['id']}", headers={"Authorization": token})
    assert me.status_code == 200 and me.json()["email"] == "bob@example.com"
    refresh = httpx.post(ui_stack.url + "/api/collections/users/auth-refresh", headers={"Authorization": token})
    assert refresh.status_code == 403
    assert_accessible(page)


def test_a_superuser_resets_a_users_totp(page: Page, people: People) -> None:
    bob = people.bob
    _open_users(page, f"/users/users/{bob['id']}")
    mfa = page.get_by_role("region", name="Multi-factor authentication")
    expect(mfa.get_by_text("10 recovery codes left", exact=False)).to_be_visible()
    mfa.get_by_role("button", name="Reset TOTP").click()
    dialog = page.get_by_role("dialog", name="Reset TOTP")
    assert_accessible(page)
    dialog.get_by_role("button", name="Reset TOTP").click()
    expect(mfa.get_by_text("off", exact=True)).to_be_visible()
    state = people.api.get(f"/api/collections/users/records/{bob['id']}/totp").json()
    assert state["enabled"] is False


def test_api_tokens_are_created_shown_once_and_revoked(page: Page, people: People, ui_stack: StackProcess) -> None:
    bob = people.bob
    _open_users(page, f"/users/users/{bob['id']}")
    section = page.get_by_role("region", name="API tokens")
    section.locator("summary", has_text="New API token").click()
    form = section.get_by_role("form", name="New API token")
    form.get_by_label("Name").fill("ci")
    form.get_by_role("button", name="Create token").click()
    # scopes are required: the API's error shows next to the field
    expect(form.locator(".field-invalid").get_by_label("Scopes")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("ci")
    form.get_by_label("Scopes").fill("users:view")
    form.get_by_role("button", name="Create token").click()
    token = section.get_by_label("Token ci: shown this once").input_value()
    assert token.startswith("lb_")
    me = httpx.get(ui_stack.url + f"/api/collections/users/records/{bob['id']}", headers={"Authorization": token})
    assert me.status_code == 200
    section.get_by_role("button", name="Revoke API token ci").click()
    expect(section.get_by_text("No API tokens.")).to_be_visible()
    gone = httpx.get(ui_stack.url + f"/api/collections/users/records/{bob['id']}", headers={"Authorization": token})
    assert gone.status_code == 401


def test_superusers_are_managed_the_same_way(page: Page, people: People) -> None:
    _open_users(page, "/users/_superusers")
    expect(page.get_by_role("link", name=SUPERUSER_EMAIL, exact=True)).to_be_visible()
    # superusers are always verified: no verified filter or checkbox
    expect(page.get_by_label("Verified")).to_have_count(0)
    page.get_by_role("link", name=SUPERUSER_EMAIL, exact=True).click()
    panel = page.get_by_role("complementary", name=f"User {SUPERUSER_EMAIL}", exact=True)
    expect(panel.get_by_role("region", name="Sessions").get_by_text("this session")).to_be_visible()
    assert_accessible(page)


def test_the_screen_works_from_the_keyboard(page: Page, people: People) -> None:
    _open_users(page)
    # the filter, then Enter applies it; Tab reaches the user's link, and Enter opens the panel
    page.get_by_label("Filter", exact=True).focus()
    page.keyboard.type("email = 'bob@example.com'")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="bob@example.com")
    expect(page.get_by_role("link", name="ann@example.com")).to_have_count(0)
    for _ in range(6):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("complementary", name="User bob@example.com")).to_be_visible()


def test_the_users_screens_broke_no_csp_rule_and_threw_nothing(problems: PageProblems) -> None:
    # runs last in the module: everything the module's page did, under the strict CSP
    assert problems.csp_violations() == []
    assert problems.uncaught() == []
