"""Public forms over HTTP on the in-process stack: definition, guest submissions, abuse controls, metadata."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.fake_siteverify import FakeSiteverify
from tests.support.records_api import GUEST, Api, unique

BROWSER = "Mozilla/5.0 (forms test)"
CAPTCHA_SECRET = "0x4AAAAAAAtest-secret-key"


@pytest.fixture(scope="module")
def leads(api: Api) -> dict[str, Any]:
    """A collection only superusers may create in (createRule null): a form alone lets guests add to it."""
    return api.create_collection({"name": unique("leads"), "type": "base", "fields": [
        {"name": "name", "type": "text", "max": 50},
        {"name": "email", "type": "email"},
        {"name": "message", "type": "text"},
        {"name": "source", "type": "text"},
        {"name": "cv", "type": "file", "maxSelect": 1, "maxSize": 100_000},
        {"name": "secretNote", "type": "text"},
    ]})


def make_form(api: Api, leads: dict[str, Any], **form: Any) -> str:
    """Save a form view on `leads` and return its slug."""
    slug = unique("contact").replace("_", "-")
    definition = {"fields": [{"name": "name", "label": "Your name", "required": True},
                             {"name": "email", "label": "Email", "help": "We reply here"},
                             {"name": "message", "label": "Message", "default": "Hello"}],
                  "hidden": [{"name": "source", "value": "from-the-site"}],
                  "successMessage": "Thanks!", "spam": {"honeypot": "website_url"}, **form}
    api.create_record("_views", {"collection": leads["id"], "name": "Contact", "type": "form", "slug": slug,
                                 "options": {"form": definition}})
    return slug


def fetch(api: Api, slug: str) -> dict[str, Any]:
    return dict(api.ok("GET", f"/api/forms/{slug}", role=GUEST))


def submit(api: Api, slug: str, body: dict[str, Any], **kwargs: Any) -> Any:
    headers = {"User-Agent": BROWSER, **kwargs.pop("headers", {})}
    return api.request("POST", f"/api/forms/{slug}", role=GUEST, json=body, headers=headers, **kwargs)


def test_a_guest_fetches_the_definition_without_hidden_values(api: Api, leads: dict[str, Any]) -> None:
    # Given a form with a hidden value
    slug = make_form(api, leads)
    # When a guest fetches it
    response = api.request("GET", f"/api/forms/{slug}", role=GUEST)
    # Then it gets the fields to render, a fill token, and nothing of the server-side values
    assert response.status_code == 200, response.text
    body = response.json()
    assert [f["name"] for f in body["fields"]] == ["name", "email", "message"]
    assert body["fields"][0] == {"name": "name", "label": "Your name", "help": "", "required": True, "default": None,
                                 "input": {"type": "text"}}
    # and each field's input type, for the form page to draw the right control
    assert body["fields"][1]["input"] == {"type": "email"}
    assert body["honeypot"] == "website_url" and body["successMessage"] == "Thanks!"
    assert body["fillToken"].startswith("v1.")
    assert "from-the-site" not in response.text and "hidden" not in body
    assert response.headers["cache-control"] == "no-store"


def test_a_guest_submission_creates_a_record_with_hidden_values(api: Api, leads: dict[str, Any]) -> None:
    # Given a form on a collection guests may not create in
    slug = make_form(api, leads)
    token = fetch(api, slug)["fillToken"]
    # When a guest submits it as JSON
    response = submit(api, slug, {"name": "Ada", "email": "ada@example.com", "_fillToken": token,
                                  "website_url": ""})
    # Then a record is made with the hidden value and the field default, and the answer is the success message
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Thanks!", "redirectUrl": ""}
    items = api.list_records(leads["name"], filter="name = 'Ada'")["items"]
    assert len(items) == 1
    assert (items[0]["source"], items[0]["message"], items[0]["email"]) == ("from-the-site", "Hello", "ada@example.com")
    # And a guest still cannot create there directly: the form was the permission
    direct = api.request("POST", f"/api/collections/{leads['name']}/records", role=GUEST, json={"name": "x"})
    assert direct.status_code == 403


def test_a_multipart_submission_stores_its_file(api: Api, leads: dict[str, Any]) -> None:
    # Given a form asking for a file
    slug = make_form(api, leads, fields=[{"name": "name", "required": True}, {"name": "cv"}])
    definition = fetch(api, slug)
    token = definition["fillToken"]
    # (whose input says a file field, one file, of at most its size; the MIME list is empty: any)
    assert definition["fields"][1]["input"] == {"type": "file", "maxSelect": 1, "mimeTypes": [], "maxSize": 100_000}
    # When a guest posts multipart with a file
    response = api.request("POST", f"/api/forms/{slug}", role=GUEST, headers={"User-Agent": BROWSER},
                           data={"name": "Grace", "_fillToken": token},
                           files={"cv": ("cv.txt", b"compilers", "text/plain")})
    # Then the record holds the file
    assert response.status_code == 200, response.text
    record = api.list_records(leads["name"], filter="name = 'Grace'")["items"][0]
    assert record["cv"].startswith("cv") and record["cv"].endswith(".txt")
    served = api.request("GET", f"/api/files/{leads['id']}/{record['id']}/{record['cv']}")
    assert served.content == b"compilers"


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"name": "Eve", "secretNote": "x"}, "secretNote", "validation_unknown_field"),
    ({"name": "Eve", "source": "forged"}, "source", "validation_unknown_field"),
    ({"email": "eve@example.com"}, "name", "validation_required"),
    ({"name": "E" * 51}, "name", "validation_max_text_constraint"),
])
def test_a_bad_submission_is_refused_and_stores_nothing(api: Api, leads: dict[str, Any], body: dict[str, Any],
                                                        field: str, code: str) -> None:
    # Given a form
    slug = make_form(api, leads)
    token = fetch(api, slug)["fillToken"]
    # the items, not the counter-backed totalItems, which lags the stream (earlier tests' records)
    before = len(api.list_records(leads["name"], perPage=1000)["items"])
    # When a submission sends a field the form does not ask for, misses a required one, or breaks the field's own
    # validation
    response = submit(api, slug, {**body, "_fillToken": token})
    # Then it is a 400 naming the field, and nothing is written
    assert response.status_code == 400, response.text
    assert response.json()["data"][field]["code"] == code
    assert len(api.list_records(leads["name"], perPage=1000)["items"]) == before


def test_a_disabled_or_unknown_form_is_not_found(api: Api, leads: dict[str, Any]) -> None:
    # Given a disabled form
    slug = make_form(api, leads, enabled=False)
    # When a guest fetches or submits it, or an unknown slug
    # Then every answer is PocketBase's 404
    for method, path in (("GET", slug), ("POST", slug), ("GET", "no-such-form"), ("POST", "Bad Slug!")):
        response = api.request(method, f"/api/forms/{path}", role=GUEST, json={})
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["status"] == 404


def test_a_honeypot_hit_looks_accepted_but_stores_nothing(api: Api, leads: dict[str, Any]) -> None:
    # Given a form with a honeypot
    slug = make_form(api, leads)
    token = fetch(api, slug)["fillToken"]
    # When a bot fills the honeypot
    response = submit(api, slug, {"name": "Bot", "_fillToken": token, "website_url": "http://spam.example"})
    # Then it is answered as a success, and no record nor submission is stored
    assert response.status_code == 200 and response.json() == {"message": "Thanks!", "redirectUrl": ""}
    assert api.list_records(leads["name"], filter="name = 'Bot'")["items"] == []
    assert api.ok("GET", f"/api/forms/{slug}/submissions")["totalItems"] == 0


def test_the_fill_token_is_required_signed_and_old_enough(api: Api, leads: dict[str, Any]) -> None:
    # Given a form with a minimum fill time of one second
    slug = make_form(api, leads, spam={"minFillSeconds": 1})
    token = fetch(api, slug)["fillToken"]
    other = fetch(api, make_form(api, leads))["fillToken"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    # When a submission comes too fast, without a token, with a forged one or with another form's
    for sent, code in ((token, "validation_form_too_fast"), (None, "validation_required"),
                       (forged, "validation_invalid_fill_token"), (other, "validation_invalid_fill_token"),
                       ("v1.x", "validation_invalid_fill_token")):
        response = submit(api, slug, {"name": "Quick", **({"_fillToken": sent} if sent else {})})
        # Then each is a 400 on `_fillToken`
        assert response.status_code == 400, (sent, response.text)
        assert response.json()["data"]["_fillToken"]["code"] == code
    # And the same token is accepted once the minimum fill time has passed
    time.sleep(1.05)
    assert submit(api, slug, {"name": "Patient", "_fillToken": token}).status_code == 200


@pytest.fixture()
def siteverify(api: Api) -> Iterator[FakeSiteverify]:
    """A fake Turnstile and hCaptcha siteverify, named with the secrets in the app settings."""
    with FakeSiteverify(CAPTCHA_SECRET) as fake:
        provider = {"secret": CAPTCHA_SECRET, "verifyUrl": fake.url}
        api.ok("PATCH", "/api/settings", json={"forms": {"turnstile": provider, "hcaptcha": provider}})
        yield fake
        api.ok("PATCH", "/api/settings", json={"forms": {"turnstile": {"verifyUrl": ""},
                                                         "hcaptcha": {"verifyUrl": ""}}})


@pytest.mark.parametrize(("provider", "response_key"), [("turnstile", "cf-turnstile-response"),
                                                        ("hcaptcha", "h-captcha-response")])
def test_the_captcha_is_verified_with_the_provider(api: Api, leads: dict[str, Any], siteverify: FakeSiteverify,
                                                   provider: str, response_key: str) -> None:
    # Given a form with a captcha, and its provider's secret in the settings (never in the form)
    slug = make_form(api, leads, spam={"captcha": {"provider": provider, "siteKey": "site-key-1"}})
    definition = fetch(api, slug)
    assert definition["captcha"] == {"provider": provider, "siteKey": "site-key-1", "responseField": response_key}
    assert CAPTCHA_SECRET not in str(api.ok("GET", "/api/settings"))
    siteverify.good_responses.add("solved-1")
    # When a guest sends no captcha, a wrong one, then a solved one, then the solved one again
    outcomes = [submit(api, slug, {"name": provider, "_fillToken": definition["fillToken"], **extra}).status_code
                for extra in ({}, {response_key: "wrong"}, {response_key: "solved-1"}, {response_key: "solved-1"})]
    # Then only the solved one passes (a provider's response is single-use)
    assert outcomes == [400, 400, 200, 400]
    # And the provider was asked as documented: the secret, the response and the caller's IP, form-encoded
    asked = siteverify.received[-2]
    assert (asked["secret"], asked["response"], asked["remoteip"]) == (CAPTCHA_SECRET, "solved-1", "127.0.0.1")
    assert ("sitekey" in asked) == (provider == "hcaptcha")
    assert len(api.list_records(leads["name"], filter=f"name = '{provider}'")["items"]) == 1


def test_submissions_are_rate_limited_per_ip_and_form(api: Api, leads: dict[str, Any]) -> None:
    # Given a form allowing 2 submissions a minute per IP, and another form
    slug = make_form(api, leads, rateLimit={"maxRequests": 2, "duration": 60})
    other = make_form(api, leads, rateLimit={"maxRequests": 2, "duration": 60})
    token = fetch(api, slug)["fillToken"]
    # When one IP submits three times
    statuses = [submit(api, slug, {"name": f"r{i}", "_fillToken": token}) for i in range(3)]
    # Then the third is PocketBase's 429 with Retry-After, and the other form still takes submissions
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json() == {"status": 429, "message": "Too Many Requests.", "data": {}}
    assert 1 <= int(statuses[2].headers["retry-after"]) <= 60
    assert submit(api, other, {"name": "r4", "_fillToken": fetch(api, other)["fillToken"]}).status_code == 200


def test_submission_metadata_and_count_are_for_superusers(api: Api, leads: dict[str, Any]) -> None:
    # Given two submissions of a form
    slug = make_form(api, leads)
    token = fetch(api, slug)["fillToken"]
    for name in ("Meta1", "Meta2"):
        assert submit(api, slug, {"name": name, "_fillToken": token}).status_code == 200
    # When a guest, a user and a superuser ask for its submissions
    guest = api.request("GET", f"/api/forms/{slug}/submissions", role=GUEST)
    user = api.request("GET", f"/api/forms/{slug}/submissions", role="user")
    page = api.ok("GET", f"/api/forms/{slug}/submissions")
    # Then only the superuser sees them: each record with its IP, user agent and time, and the exact count
    assert (guest.status_code, user.status_code) == (401, 403)
    assert page["totalItems"] == 2
    records = {r["id"]: r["name"] for r in api.list_records(leads["name"], filter="name ~ 'Meta'")["items"]}
    assert sorted(records[s["recordId"]] for s in page["items"]) == ["Meta1", "Meta2"]
    first = page["items"][0]
    assert (first["ip"], first["userAgent"], first["collectionId"]) == ("127.0.0.1", BROWSER, leads["id"])
    assert first["created"] >= page["items"][1]["created"]
    # And the record itself carries none of it
    assert "ip" not in api.list_records(leads["name"], filter="name = 'Meta1'")["items"][0]


@pytest.mark.parametrize(("form", "option"), [
    ({"fields": []}, "form.fields"),
    ({"fields": [{"name": "nope"}]}, "form.fields.0.name"),
    ({"fields": [{"name": "name"}], "hidden": [{"name": "name", "value": 1}]}, "form.hidden.0.name"),
    ({"fields": [{"name": "name"}], "spam": {"honeypot": "email"}}, "form.spam.honeypot"),
    ({"fields": [{"name": "name"}], "spam": {"minFillSeconds": -1}}, "form.spam.minFillSeconds"),
    ({"fields": [{"name": "name"}], "spam": {"captcha": {"provider": "recaptcha", "siteKey": "k"}}},
     "form.spam.captcha.provider"),
    ({"fields": [{"name": "name"}], "spam": {"captcha": {"provider": "turnstile", "siteKey": "k",
                                                         "secret": "s"}}}, "form.spam.captcha.secret"),
    ({"fields": [{"name": "name"}], "redirectUrl": "javascript:alert(1)"}, "form.redirectUrl"),
    ({"fields": [{"name": "name"}], "colour": "red"}, "form.colour"),
])
def test_an_invalid_form_definition_is_refused_on_save(api: Api, leads: dict[str, Any], form: dict[str, Any],
                                                      option: str) -> None:
    # Given a form definition with one bad option
    # When a superuser saves it
    response = api.request("POST", "/api/collections/_views/records", json={
        "collection": leads["id"], "name": "Bad", "type": "form", "slug": unique("bad").replace("_", "-"),
        "options": {"form": form}})
    # Then it is a 400 on `options` naming the option
    assert response.status_code == 400, response.text
    error = response.json()["data"]["options"]
    assert error["code"] == "validation_invalid_form_options" and error["message"].startswith(option + ":")


def test_a_submission_is_an_ordinary_create_for_the_change_stream(api: Api, leads: dict[str, Any]) -> None:
    # Given a form submission
    slug = make_form(api, leads)
    assert submit(api, slug, {"name": "Audited", "_fillToken": fetch(api, slug)["fillToken"]}).status_code == 200
    record = api.list_records(leads["name"], filter="name = 'Audited'")["items"][0]
    # When the change stream has handled it
    deadline = time.monotonic() + 15
    while not (entries := api.ok("GET", "/api/audit", params={"filter": f"record = '{record['id']}'"})["items"]):
        assert time.monotonic() < deadline, "no audit entry for the form's record"
        time.sleep(0.2)
    # Then the audit log shows a create by a guest, with the values the form set
    entry = entries[0]
    assert entry["action"] == "create"
    assert "Audited" in str(entry) and "from-the-site" in str(entry)
