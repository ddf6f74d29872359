"""HTTP hardening through the local stack: bad bodies, oversized requests, redirects, health diagnostics,
the password policy whatever the JSON type, and a parallel sign-in burst against the throttle."""

from __future__ import annotations

import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.records_api import USER_PASSWORD, Api
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

PASSWORD = "Plum-Orchard-4471"


@pytest.fixture(scope="module")
def notes(api: Api) -> str:
    name = f"notes_{uuid.uuid4().hex[:6]}"
    api.create_collection({"name": name, "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                           "fields": [{"name": "title", "type": "text"}, {"name": "meta", "type": "json"},
                                      {"name": "n", "type": "number"}]})
    return name


BAD_BODIES = [
    ("nested 5,000", '{"title": "t", "meta": ' + "[" * 5_000 + "]" * 5_000 + "}"),
    ("nested 100,000", '{"title": "t", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("NaN", '{"title": "t", "meta": NaN}'),
    ("Infinity", '{"title": "t", "n": Infinity}'),
    ("-Infinity", '{"title": "t", "meta": -Infinity}'),
    ("1e400", '{"title": "t", "meta": 1e400}'),
    ("1e200 (past DynamoDB's range)", '{"title": "t", "n": 1e200}'),
    ("lone surrogate in text", '{"title": "\\ud800"}'),
    ("lone surrogate in json", '{"title": "t", "meta": {"k": "\\udc00"}}'),
]


@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_json_is_a_400_and_nothing_is_stored(api: Api, notes: str, name: str, body: str) -> None:
    before = api.list_records(notes, perPage=1, skipTotal=0)["totalItems"]

    response = api.request("POST", f"/api/collections/{notes}/records", content=body.encode(),
                           headers={"Content-Type": "application/json"})
    multipart = api.request("POST", f"/api/collections/{notes}/records", files={"@jsonPayload": (None, body)})

    assert response.status_code == 400 and response.json()["data"] == {}, (name, response.text)
    assert multipart.status_code == 400, (name, multipart.text)
    assert api.list_records(notes, perPage=1, skipTotal=0)["totalItems"] == before


def test_a_40_digit_integer_is_stored_as_pocketbase_stores_it(api: Api, notes: str) -> None:
    # PocketBase 0.40.6 answers "meta":1.2345678901234568e+39 for this body; DynamoDB holds 38 digits
    response = api.request("POST", f"/api/collections/{notes}/records",
                           content=b'{"title": "big", "meta": 1234567890123456789012345678901234567890}',
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 200, response.text
    assert response.json()["meta"] == 1.2345678901234568e39


def test_a_collection_name_with_a_lone_surrogate_is_a_400(api: Api) -> None:
    response = api.request("POST", "/api/collections", content=b'{"name": "bad\\ud800", "type": "base"}',
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 400 and "surrogate" in response.json()["message"]


def test_an_unsupported_content_type_is_pocketbases_400(api: Api, notes: str) -> None:
    response = api.request("POST", f"/api/collections/{notes}/records", content=b'{"title": "x"}',
                           headers={"Content-Type": "text/plain"})

    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": "Unsupported Content-Type.", "data": {}}


@pytest.mark.parametrize("param", ["filter", "fields"])
def test_a_200000_char_query_gets_api_gateways_answer_not_a_reset(stack: StackProcess, param: str) -> None:
    # httpx refuses such URLs, so the request goes over a plain socket, as any client could send it
    request = (f"GET /api/collections/x/records?{param}={'a' * 200_000} HTTP/1.1\r\n"
               f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65_536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'{"message":"Request Entity Too Large"}')


def test_a_filter_over_pocketbases_limit_is_a_400(api: Api, notes: str) -> None:
    response = api.request("GET", f"/api/collections/{notes}/records", params={"filter": f'title="{"a" * 4000}"'})

    assert response.status_code == 400 and response.json()["data"]["filter"]["code"] == "validation_invalid_filter"


def test_a_trailing_slash_with_a_forged_host_is_a_404_not_a_redirect(stack: StackProcess) -> None:
    response = httpx.get(f"{stack.url}/api/health/", headers={"Host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 404 and "location" not in response.headers


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/api/health"), ("PUT", "/api/batch"),
                                              ("PUT", "/api/collections/users/records")])
def test_a_wrong_method_is_pocketbases_404(api: Api, method: str, path: str) -> None:
    response = api.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "The requested resource wasn't found.", "data": {}}


def test_health_diagnostics_are_for_superusers_only(api: Api) -> None:
    # PocketBase checks CF-Connecting-IP, Fly-Client-IP, then X-Forwarded-For, and names the first present
    superuser = api.ok("GET", "/api/health", headers={"X-Forwarded-For": "198.51.100.2",
                                                      "Fly-Client-IP": "198.51.100.1"})
    forwarded = api.ok("GET", "/api/health", headers={"X-Forwarded-For": "198.51.100.2"})
    plain = api.ok("GET", "/api/health", headers={"CF-Connecting-IP": "198.51.100.1"})
    user = api.ok("GET", "/api/health", role="user")
    guest = httpx.get(f"{api.url}/api/health").json()

    # realIP is the TCP peer, as API Gateway's sourceIp: a client's own X-Forwarded-For never replaces it
    pocketbase_keys = {k: v for k, v in superuser["data"].items() if k != "lastBackup"}  # additive, after a backup
    assert pocketbase_keys == {"canBackup": True, "realIP": "127.0.0.1", "possibleProxyHeader": "Fly-Client-IP"}
    assert plain["data"]["possibleProxyHeader"] == "CF-Connecting-IP"
    assert forwarded["data"]["possibleProxyHeader"] == "X-Forwarded-For"
    assert user["data"] == {} and guest["data"] == {}


def _sign_up(api: Api, password: Any) -> httpx.Response:
    email = f"pw-{uuid.uuid4().hex[:8]}@example.com"
    return api.request("POST", "/api/collections/users/records", role="guest",
                       json={"email": email, "password": password, "passwordConfirm": password})


@pytest.mark.parametrize("password", [12345678, "12345678", 1234567890])
def test_a_common_password_is_refused_whatever_its_json_type(api: Api, password: Any) -> None:
    response = _sign_up(api, password)

    assert response.status_code == 400, response.text
    assert response.json()["data"]["password"]["code"] == "validation_password_too_common"


def test_a_password_change_to_a_common_number_is_refused(api: Api) -> None:
    user = api.users["user"]

    response = api.request("PATCH", f"/api/collections/users/records/{user['id']}", role="user",
                           json={"oldPassword": USER_PASSWORD, "password": 12345678, "passwordConfirm": 12345678})

    assert response.status_code == 400
    assert response.json()["data"]["password"]["code"] == "validation_password_too_common"


def test_a_non_string_sign_in_password_is_pocketbases_400(api: Api) -> None:
    response = api.request("POST", "/api/collections/users/auth-with-password", role="guest",
                           json={"identity": "nobody@example.com", "password": 12345678})

    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": "An error occurred while loading the submitted data.",
                               "data": {}}


def test_a_parallel_burst_of_wrong_passwords_gets_only_the_free_guesses(api: Api) -> None:
    # Given an account, and 50 wrong-password sign-ins fired at once (the session stack's rate limits are
    # raised, tests/support/rate_limits.py, so only the sign-in throttle stands in the way)
    email = f"burst-{uuid.uuid4().hex[:8]}@example.com"
    created = api.request("POST", "/api/collections/users/records", role="guest",
                          json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert created.status_code == 200, created.text

    # one client, a connection per guess: a client each would build 50 TLS contexts for plain loopback HTTP
    client = httpx.Client(base_url=api.url, timeout=60, limits=httpx.Limits(max_connections=50))

    def guess(i: int) -> int:
        return client.post("/api/collections/users/auth-with-password",
                           json={"identity": email, "password": f"wrong-guess-{i}"}).status_code

    # When they all arrive together
    started = time.monotonic()
    with client, ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(guess, range(50)))
    elapsed = time.monotonic() - started

    # Then only the 5 free guesses were tried, plus one per doubling delay (1 s, 2 s, 4 s...) that elapsed
    # during the burst; every other one was a 429. Before the fix, 35 of them got a 400.
    tried, throttled = statuses.count(400), statuses.count(429)
    extra = sum(1 for k in range(10) if 2 ** (k + 1) - 1 <= elapsed)
    assert tried + throttled == 50, statuses
    assert 5 <= tried <= 5 + extra, (tried, elapsed)
