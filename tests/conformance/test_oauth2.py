"""OAuth2 conformance: PocketBase and Lambdabase configured with the same local OpenID provider (npm
`oidc-provider`, in PocketBase's `oidc` slot): the provider options, `auth-methods`, a full code + PKCE sign-in
and the form's refusals answer alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import httpx
import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check
from tests.support.node_suite import needs_node
from tests.support.oidc_server import OidcServer, oidc_server

pytestmark = needs_node("oidc-provider")

REDIRECT = "http://127.0.0.1:5174/oauth2-callback"
C = "/api/collections/cf_oauth2"
RANDOM = ("state", "codeVerifier", "codeChallenge")
APPLE = "/api/settings/apple/generate-client-secret"


@pytest.fixture(scope="module")
def issuer() -> Iterator[OidcServer]:
    with oidc_server(18538, 18539, [REDIRECT]) as server:
        yield server


def provider_config(issuer: OidcServer) -> dict[str, Any]:
    # PocketBase's way of configuring its `oidc` slot (Lambdabase also accepts `extra.issuer` alone)
    return {"name": "oidc", "clientId": issuer.client_id, "clientSecret": issuer.client_secret,
            "authURL": issuer.issuer + "/auth", "tokenURL": issuer.issuer + "/token",
            "userInfoURL": issuer.issuer + "/me", "displayName": "Local OIDC"}


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient, issuer: OidcServer) -> Iterator[None]:
    paired.create_collection({"name": "cf_oauth2", "type": "auth", "createRule": "",
                              "fields": [{"name": "name", "type": "text"}],
                              "oauth2": {"enabled": True, "providers": [provider_config(issuer)],
                                         "mappedFields": {"name": "name"}}})
    # the same, but only superusers may create records: a new account cannot sign up
    paired.create_collection({"name": "cf_oauth2_closed", "type": "auth", "createRule": None,
                              "oauth2": {"enabled": True, "providers": [provider_config(issuer)]}})
    yield


def consent(auth_url: str, login: str) -> dict[str, str]:
    """The browser's part, headless: through the provider's automatic login and consent to the callback."""
    url = f"{auth_url}{quote(REDIRECT, safe='')}&login_hint={login}"
    with httpx.Client(follow_redirects=False) as browser:
        for _hop in range(12):
            response = browser.get(url)
            url = urljoin(url, response.headers["location"])
            if url.startswith(REDIRECT):
                return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    raise AssertionError("the provider never redirected back")


def shape_of_methods(body: dict[str, Any]) -> dict[str, Any]:
    """auth-methods with its random values blanked and the authorization URL as its parameter names."""
    providers = []
    for provider in body["oauth2"]["providers"]:
        query = parse_qs(urlsplit(provider["authURL"]).query, keep_blank_values=True)
        # Lambdabase's deliberate extra: an OpenID nonce bound to the PKCE verifier (docs/compatibility.md)
        query.pop("nonce", None)
        fixed = {k: v for k, v in query.items() if k not in ("state", "code_challenge")}
        providers.append({**{k: v for k, v in provider.items() if k not in (*RANDOM, "authURL", "authUrl")},
                          "url": (provider["authURL"].split("?")[0], sorted(query), fixed),
                          "same": provider["authURL"] == provider["authUrl"],
                          "lengths": [len(provider[k]) for k in RANDOM]})
    return {**body, "oauth2": {**body["oauth2"], "providers": providers},
            "authProviders": [p["logo"] for p in body["authProviders"]]}


def test_auth_methods_answer_alike(paired: PairedClient) -> None:
    # Given the same OpenID provider on both sides, When a guest lists the methods
    pair = paired.send("GET", C + "/auth-methods", role=GUEST)
    # Then the same providers, URLs and PKCE fields (the random values apart)
    assert pair.pb.status_code == pair.lb.status_code == 200
    assert shape_of_methods(pair.lb.json()) == shape_of_methods(pair.pb.json())


def test_collection_hides_the_client_secret_alike(paired: PairedClient) -> None:
    pb, lb = paired.ok("GET", C)
    assert lb["oauth2"]["providers"] == pb["oauth2"]["providers"]


def sign_in_on(client: httpx.Client, login: str, path: str = C) -> httpx.Response:
    methods = client.get(path + "/auth-methods").json()
    info = methods["oauth2"]["providers"][0]
    callback = consent(info["authURL"], login)
    assert callback["state"] == info["state"]
    return client.post(path + "/auth-with-oauth2", json={"provider": "oidc", "code": callback["code"],
                                                         "codeVerifier": info["codeVerifier"],
                                                         "redirectURL": REDIRECT})


VOLATILE_META = ("accessToken", "refreshToken", "expiry")
VOLATILE_RECORD = ("id", "created", "updated", "tokenKey")


def test_sign_in_answers_alike(paired: PairedClient) -> None:
    # Given a new account at the provider, When it signs in on both sides, Then both create a verified record
    # with the mapped name and answer the same meta
    answers = {}
    for side in (paired.pb, paired.lb):
        response = sign_in_on(side.http, f"cf-{side.name}")
        assert response.status_code == 200, f"{side.name}: {response.text}"
        answers[side.name] = response.json()
    pb, lb = answers["pb"], answers["lb"]
    assert set(lb) - {"refreshToken"} == set(pb)  # Lambdabase's refresh token is its one extra
    assert set(lb["meta"]) == set(pb["meta"])  # PocketBase's key order varies from answer to answer
    for body, side in ((pb, "pb"), (lb, "lb")):
        meta = {k: v for k, v in body["meta"].items() if k not in VOLATILE_META}
        assert meta == {"rawUser": {"sub": f"cf-{side}", "email": f"cf-{side}@example.test", "email_verified": True,
                                    "name": f"User cf-{side}", "preferred_username": f"cf-{side}"},
                        "id": f"cf-{side}", "name": f"User cf-{side}", "username": f"cf-{side}", "avatarURL": "",
                        "email": f"cf-{side}@example.test", "avatarUrl": "", "isNew": True}
    record = {side: {k: v for k, v in body["record"].items() if k not in VOLATILE_RECORD}
              for side, body in answers.items()}
    assert record["lb"] == {**record["pb"], "email": "cf-lb@example.test", "name": "User cf-lb"}
    assert record["pb"]["verified"] is True and record["pb"]["name"] == "User cf-pb"


def test_sign_up_refused_by_the_create_rule_alike(paired: PairedClient) -> None:
    # Given a collection whose createRule lets only superusers create, When a new account signs in on both sides
    answers = [sign_in_on(side.http, f"closed-{side.name}", "/api/collections/cf_oauth2_closed")
               for side in (paired.pb, paired.lb)]
    # Then the same refusal
    pb, lb = ((r.status_code, r.json()) for r in answers)
    assert lb == pb


CASES = cases(
    Case("without a body", "POST", C + "/auth-with-oauth2", role=GUEST, body={}),
    Case("with an unknown provider", "POST", C + "/auth-with-oauth2", role=GUEST,
         body={"provider": "github", "code": "c"}),
    Case("with a too long provider name", "POST", C + "/auth-with-oauth2", role=GUEST,
         body={"provider": "p" * 101, "code": "c"}),
    Case("with a numeric code", "POST", C + "/auth-with-oauth2", role=GUEST, body={"provider": "oidc", "code": 5}),
    Case("with a code the provider never issued", "POST", C + "/auth-with-oauth2", role=GUEST,
         body={"provider": "oidc", "code": "forged", "codeVerifier": "v" * 43, "redirectURL": REDIRECT}),
    Case("with createData that is no object", "POST", C + "/auth-with-oauth2", role=GUEST,
         body={"provider": "oidc", "code": "c", "createData": "x"}),
    Case("saving an unknown provider", "PATCH", C, body={"oauth2": {"providers": [
        {"name": "nope", "clientId": "a", "clientSecret": "b"}]}}),
    Case("saving a provider twice", "PATCH", C, body={"oauth2": {"providers": [
        {"name": "github", "clientId": "a", "clientSecret": "b"},
        {"name": "github", "clientId": "a", "clientSecret": "b"}]}}),
    Case("saving a provider without credentials and a bad URL", "PATCH", C, body={"oauth2": {"providers": [
        {"name": "gitlab", "tokenURL": "not a url"}]}}),
    Case("apple client secret as a guest", "POST", APPLE, role=GUEST, body={}),
    Case("apple client secret as a user", "POST", APPLE, role="alice", body={}),
    Case("apple client secret without a body", "POST", APPLE, body={}),
    Case("apple client secret with bad values", "POST", APPLE, body={
        "clientId": "c", "teamId": "short", "keyId": "KEY1234567", "privateKey": "nope", "duration": 99999999}),
    Case("apple client secret with a negative duration", "POST", APPLE, body={
        "clientId": "c", "teamId": "TEAM123456", "keyId": "KEY1234567", "duration": -5}),
    Case("apple client secret with a numeric client id", "POST", APPLE, body={"clientId": 5}),
)


@pytest.mark.parametrize("case", CASES)
def test_oauth2_refusals(paired: PairedClient, case: Case) -> None:
    # Given the collection with its OpenID provider, When the same bad request goes to both sides, Then alike
    check(paired, case)
