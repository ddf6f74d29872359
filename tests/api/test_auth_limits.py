"""Rate limits, sign-in throttling and CORS/security headers, on the suite's stack redeployed with small limits
for this module, whose requests come from an address of their own (the suite's own client runs under the
raised limits of tests/support/rate_limits.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest

from shared.auth import throttle
from tests.support import fake_clock
from tests.support.in_process import InProcessStack
from tests.support.sign_in import (
    APP_ORIGIN,
    ENV,
    PASSWORD,
    ROOT_EMAIL,
    ROOT_PASSWORD,
    SIGN_IN_WINDOW_S,
    email,
    new_user,
    sign_in,
)

pytestmark = pytest.mark.api

# this module's own source address: its per-IP counters are not shared with the rest of the suite
CLIENT_IP = "127.0.0.2"


@pytest.fixture(scope="module")
def limited(stack: InProcessStack) -> Iterator[InProcessStack]:
    with stack.configured(**ENV):
        yield stack


@pytest.fixture(scope="module")
def api(limited: InProcessStack) -> httpx.Client:
    return limited.client(source_ip=CLIENT_IP)


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": response.json()["token"]}


def at_window_start(duration: int) -> None:
    """Sleep until a fresh fixed window begins, so a burst of requests lands in one window."""
    time.sleep(duration - time.time() % duration + 0.05)


def with_room_in_window(duration: int, needed_s: float) -> None:
    """Make sure `needed_s` seconds are left in the current fixed window, waiting for the next one if not."""
    if duration - time.time() % duration < needed_s:
        at_window_start(duration)


# fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def throttled(api: httpx.Client, root: dict[str, str]) -> str:
    """An auth collection named `throttled`, exempt from the sign-in rate limit by an exact rule."""
    response = api.post("/api/collections", headers=root, json={"name": "throttled", "type": "auth",
                                                               "createRule": ""})
    assert response.status_code == 200, response.text
    return "throttled"



# rate limits ----------------------------------------------------------------------------------------
def test_rate_limit_headers_count_down_then_429_then_recover(api: httpx.Client) -> None:
    # Given the rule *:authWithPassword = 3 per SIGN_IN_WINDOW_S per IP (cheap requests: an unknown identityField)
    def attempt() -> httpx.Response:
        return api.post("/api/collections/users/auth-with-password",
                        json={"identity": "x@example.com", "password": "x", "identityField": "nope"})

    at_window_start(SIGN_IN_WINDOW_S)
    # When four requests arrive in one window
    responses = [attempt() for _ in range(4)]
    # Then the headers count down and the fourth gets PocketBase's 429 with Retry-After
    assert [r.status_code for r in responses] == [400, 400, 400, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert {r.headers["x-ratelimit-limit"] for r in responses} == {"3"}
    reset = int(responses[0].headers["x-ratelimit-reset"])
    assert reset % SIGN_IN_WINDOW_S == 0 and 0 < reset - time.time() <= SIGN_IN_WINDOW_S
    blocked = responses[-1]
    assert blocked.json() == {"status": 429, "message": "Too Many Requests.", "data": {}}
    retry_after = int(blocked.headers["retry-after"])
    assert 1 <= retry_after <= SIGN_IN_WINDOW_S
    assert blocked.headers["x-content-type-options"] == "nosniff"  # the 429 is hardened like any response
    # When the client waits as told, it is let through again
    time.sleep(retry_after)
    assert attempt().status_code == 400


def test_per_user_rules_count_each_user_and_superusers_are_exempt(api: httpx.Client, root: dict[str, str],
                                                                  limited: InProcessStack, throttled: str) -> None:
    # Given a collection anyone signed in may write to, and the rule POST .../records = 2/min per user
    name = f"notes_{uuid.uuid4().hex[:8]}"
    assert api.post("/api/collections", headers=root, json={
        "name": name, "type": "base", "createRule": "@request.auth.id != ''",
        "fields": [{"name": "text", "type": "text"}]}).status_code == 200
    ann = {"Authorization": sign_in(api, new_user(api, throttled), collection=throttled).json()["token"]}
    bob = {"Authorization": sign_in(api, new_user(api, throttled), collection=throttled).json()["token"]}
    url = f"/api/collections/{name}/records"
    # When Ann writes three times, Bob once and the superuser five times, all in one minute's window
    with_room_in_window(60, 20)
    ann_statuses = [api.post(url, headers=ann, json={"text": "a"}).status_code for _ in range(3)]
    bob_response = api.post(url, headers=bob, json={"text": "b"})
    root_responses = [api.post(url, headers=root, json={"text": "r"}) for _ in range(5)]
    # Then only Ann's third write is refused; Bob has his own counter; the superuser is not limited
    assert ann_statuses == [200, 200, 429]
    assert bob_response.status_code == 200 and bob_response.headers["x-ratelimit-remaining"] == "1"
    assert all(r.status_code == 200 and "x-ratelimit-limit" not in r.headers for r in root_responses)
    # And the counters are DynamoDB items with a TTL, shared by every Lambda instance
    ddb = boto3.client("dynamodb", endpoint_url=limited.moto_endpoint(), region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    items = ddb.scan(TableName="lambdabase-system", FilterExpression="begins_with(pk, :p)",
                     ExpressionAttributeValues={":p": {"S": "rl#"}})["Items"]
    assert items and all("n" in i and int(i["ttl"]["N"]) > time.time() for i in items)


def clear(api: httpx.Client, root: dict[str, str], collection: str, **body: str) -> None:
    response = api.post(f"/api/collections/{collection}/clear-sign-in-failures", headers=root, json=body)
    assert response.status_code == 204, response.text


def test_failed_sign_ins_meet_growing_delays_then_the_hourly_cap_and_never_a_permanent_lock(
        api: httpx.Client, root: dict[str, str], throttled: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clear(api, root, throttled, ip=CLIENT_IP)
    address, ghost = new_user(api, throttled), email("ghost")
    # The throttle's clock stands still: its delays are whole seconds, which a loaded machine's requests outlast;
    # early in an hour, so that the hourly cap's rolling estimate has not begun to decay
    clock = fake_clock.frozen(monkeypatch, throttle, at=fake_clock.early_next_hour())
    # Given three failures (the free ones) on a real account and on an unknown one, each followed at once by
    # another attempt
    answers = {}
    for identity, password in ((address, PASSWORD), (ghost, "wrong-password")):
        assert [sign_in(api, identity, "wrong-password", throttled).status_code for _ in range(3)] == [400] * 3
        answers[identity] = sign_in(api, identity, password, throttled)
    real, unknown = answers[address], answers[ghost]
    # Then both wait the same way: 429 with Retry-After, the same body; nothing tells the accounts apart
    assert real.status_code == unknown.status_code == 429
    assert real.json() == unknown.json() == {"status": 429, "message": "Too Many Requests.", "data": {}}
    assert real.headers["retry-after"] == unknown.headers["retry-after"] == "1"
    # When the user waits out the delay, the right password works and ends the delay
    clock.advance(1.1)
    assert sign_in(api, address, PASSWORD, throttled).status_code == 200
    # When the failures reach the hourly cap (6), even the right password waits, for a long but finite time
    assert [sign_in(api, address, "wrong-password", throttled).status_code for _ in range(3)] == [400] * 3
    capped = sign_in(api, address, PASSWORD, throttled)
    assert capped.status_code == 429 and 60 < int(capped.headers["retry-after"]) <= 2 * 3600
    # And a superuser can clear the account's counters at once
    assert api.post(f"/api/collections/{throttled}/clear-sign-in-failures",
                    json={"identity": address}).status_code == 401
    clear(api, root, throttled, identity=address)
    assert sign_in(api, address, PASSWORD, throttled).status_code == 200


def test_many_failures_from_one_ip_are_capped_across_accounts(
        api: httpx.Client, root: dict[str, str], throttled: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clear(api, root, throttled, ip=CLIENT_IP)
    # The failures all land in one hour's bucket, however long the machine takes
    fake_clock.frozen(monkeypatch, throttle, at=fake_clock.early_next_hour())
    address = new_user(api, throttled)
    # Given twelve failures from this IP, each on a different (unknown) account
    statuses = [sign_in(api, email("stuffing"), "wrong-password", throttled).status_code for _ in range(12)]
    assert statuses == [400] * 12
    # Then any account, even one without failures, is throttled from this IP
    assert sign_in(api, address, PASSWORD, throttled).status_code == 429
    # Until a superuser clears the IP's counters
    clear(api, root, throttled, ip=CLIENT_IP)
    assert sign_in(api, address, PASSWORD, throttled).status_code == 200


# CORS and security headers -------------------------------------------------------------------------
def test_cors_allows_only_configured_origins_and_every_response_is_hardened(api: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = api.options("/api/collections/users/auth-with-password", headers={"Origin": APP_ORIGIN, **preflight})
    denied = api.options("/api/collections/users/auth-with-password",
                         headers={"Origin": "https://evil.example", **preflight})
    simple = api.get("/api/collections/users/auth-methods", headers={"Origin": APP_ORIGIN})

    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    assert simple.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "x-ratelimit-remaining" in simple.headers["access-control-expose-headers"].lower()
    for response in (allowed, simple):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "content-security-policy" not in simple.headers  # JSON; HTML responses get the CSP
