"""`trustedProxy` and `superuserIPs` acted on, over HTTP on the in-process local stack (PATCH then requests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from shared.app_settings import provider
from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK
from shared.aws import client
from tests.support.records_api import GUEST, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, USER_PASSWORD, Api

pytestmark = pytest.mark.api

# The local gateway, as API Gateway, gives the peer as sourceIp and appends it to X-Forwarded-For.
PEER = "127.0.0.1"
REFUSED = {"status": 403, "message": "You are not allowed to perform this request.", "data": {}}
DEFAULTS = {"trustedProxy": {"headers": [], "useLeftmostIP": False}, "superuserIPs": []}
ALLOWED = {"X-Real-IP": "10.1.2.3"}


@pytest.fixture(autouse=True)
def restore_settings(api: Api) -> Iterator[None]:
    """Each test starts and ends as a fresh deployment: the folder's other modules share this stack."""
    yield
    client("dynamodb").delete_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                   Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})
    provider.invalidate()


def configure(api: Api, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    api.ok("PATCH", "/api/settings", json=body, headers=headers)


def health(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    return dict(api.ok("GET", "/api/health", headers=headers)["data"])


def test_without_a_trusted_proxy_a_sent_header_changes_nothing(api: Api) -> None:
    # Given PocketBase's default settings (no trusted proxy headers)
    configure(api, DEFAULTS)

    # When a superuser claims another address in the usual headers
    data = health(api, {"X-Forwarded-For": "203.0.113.5", "X-Real-IP": "203.0.113.6"})

    # Then the real IP is the gateway's peer, and the header is only reported as a possible proxy
    assert (data["realIP"], data["possibleProxyHeader"]) == (PEER, "X-Forwarded-For")


def test_a_trusted_x_forwarded_for_gives_the_hop_the_gateway_saw(api: Api) -> None:
    # Given X-Forwarded-For trusted, rightmost address (PocketBase's default)
    configure(api, {"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": False}})

    # When a client writes its own X-Forwarded-For, to which the gateway appends the address it saw
    data = health(api, {"X-Forwarded-For": "203.0.113.5"})

    # Then the real IP is the gateway's own hop: a client cannot pick its address
    assert (data["realIP"], data["possibleProxyHeader"]) == (PEER, "X-Forwarded-For")


def test_use_leftmost_ip_takes_the_first_address_of_the_list(api: Api) -> None:
    # Given X-Forwarded-For trusted, leftmost address (an operator whose CDN writes the client first)
    configure(api, {"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": True}})

    # When the request arrives through a proxy that wrote the client's IPv6 address
    data = health(api, {"X-Forwarded-For": "2001:db8::7, 192.0.2.1"})

    # Then the real IP is that first address, written expanded as PocketBase writes it
    assert data["realIP"] == "2001:0db8:0000:0000:0000:0000:0000:0007"


def test_a_trusted_header_is_named_as_the_operator_wrote_it(api: Api) -> None:
    # Given x-real-ip trusted before X-Forwarded-For
    configure(api, {"trustedProxy": {"headers": ["x-real-ip", "X-Forwarded-For"], "useLeftmostIP": False}})

    # When one request has an invalid X-Real-IP and another a valid one
    invalid = health(api, {"X-Real-IP": "nonsense"})
    valid = health(api, {"X-Real-IP": "198.51.100.20"})

    # Then the invalid one falls through to the next trusted header; both name the first header with a value
    assert invalid == {**invalid, "realIP": PEER, "possibleProxyHeader": "x-real-ip"}
    assert valid == {**valid, "realIP": "198.51.100.20", "possibleProxyHeader": "x-real-ip"}


def test_a_superuser_outside_superuser_ips_is_refused_everywhere(api: Api) -> None:
    # Given superuserIPs set to 10.0.0.0/8, read from a trusted X-Real-IP
    configure(api, {"trustedProxy": {"headers": ["X-Real-IP"], "useLeftmostIP": False},
                    "superuserIPs": ["10.0.0.0/8"]}, headers=ALLOWED)

    # When the superuser's token is used from elsewhere, on admin and on public endpoints, and from inside
    outside = [api.request("GET", path) for path in ("/api/settings", "/api/collections", "/api/health",
                                                      "/api/collections/users/records")]
    spoofed = api.request("GET", "/api/settings", headers={"X-Forwarded-For": "10.1.2.3"})
    inside = api.request("GET", "/api/settings", headers=ALLOWED)

    # Then every outside request gets PocketBase's 403, an untrusted header does not help, the inside one works
    assert [(r.status_code, r.json()) for r in outside] == [(403, REFUSED)] * 4
    assert (spoofed.status_code, spoofed.json()) == (403, REFUSED)
    assert inside.status_code == 200 and inside.json()["superuserIPs"] == ["10.0.0.0/8"]


def test_a_superuser_cannot_sign_in_from_outside_but_users_can(api: Api) -> None:
    # Given superuserIPs set to one address, read from a trusted X-Real-IP
    configure(api, {"trustedProxy": {"headers": ["X-Real-IP"], "useLeftmostIP": False},
                    "superuserIPs": ["10.1.2.3"]}, headers=ALLOWED)
    password = {"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}

    # When the superuser signs in with the right password from outside and from inside, and a user from outside
    outside = api.request("POST", "/api/collections/_superusers/auth-with-password", role=GUEST, json=password)
    inside = api.request("POST", "/api/collections/_superusers/auth-with-password", role=GUEST, json=password,
                         headers=ALLOWED)
    refreshed = api.request("POST", "/api/collections/_superusers/auth-with-refresh-token", role=GUEST,
                            json={"refreshToken": inside.json()["refreshToken"]})
    still_usable = api.request("POST", "/api/collections/_superusers/auth-with-refresh-token", role=GUEST,
                               json={"refreshToken": inside.json()["refreshToken"]}, headers=ALLOWED)
    user = api.request("POST", "/api/collections/users/auth-with-password", role=GUEST,
                       json={"identity": api.users["user"]["email"], "password": USER_PASSWORD})
    listed = api.request("GET", "/api/collections/users/records", role="user")

    # Then only the superuser from outside is refused; a session from inside cannot be refreshed from outside,
    # and that refusal did not use its refresh token up; users are not concerned
    assert (outside.status_code, outside.json()) == (403, REFUSED)
    assert inside.status_code == 200 and inside.json()["record"]["email"] == SUPERUSER_EMAIL
    assert (refreshed.status_code, refreshed.json()) == (403, REFUSED)
    assert still_usable.status_code == 200, still_usable.text
    assert user.status_code == 200 and listed.status_code == 200


def test_a_superusers_file_token_downloads_no_backup_from_outside(api: Api) -> None:
    # Given superuserIPs set to 10.0.0.0/8 (trusted X-Real-IP), and a superuser's file token asked from inside
    configure(api, {"trustedProxy": {"headers": ["X-Real-IP"], "useLeftmostIP": False},
                    "superuserIPs": ["10.0.0.0/8"]}, headers=ALLOWED)
    token = api.ok("POST", "/api/files/token", headers=ALLOWED)["token"]

    # When the token is used from outside and from inside (for a backup that does not exist)
    outside = api.request("GET", "/api/backups/missing.zip", role=GUEST, params={"token": token})
    inside = api.request("GET", "/api/backups/missing.zip", role=GUEST, params={"token": token}, headers=ALLOWED)

    # Then outside gets PocketBase's download 403 before anything is looked up; inside gets past it
    assert (outside.status_code, outside.json()["message"]) == (403, "Insufficient permissions to access the resource.")
    assert inside.status_code != 403
