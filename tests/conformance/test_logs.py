"""Conformance of the request logs API: who may read it, its errors, and the logs both servers write for the same
requests, listed, filtered, viewed and counted per hour.

Both servers write logs in the background (PocketBase in batches, Lambdabase through the log subscription), so
the tests that read logs first send marked requests and poll until each side has their logs. Ids, times and
execution times differ by nature and are normalized; `details` is compared by presence only (PocketBase puts
its internal error text there, docs/compatibility.md).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.conformance.normalize import normalize
from tests.conformance.paired import GUEST, SUPERUSER, PairedClient
from tests.conformance.scenario import Case, cases, check

CASES = cases(
    Case("logs list as guest", "GET", "/api/logs", role=GUEST),
    Case("logs list as user", "GET", "/api/logs", role="alice"),
    Case("logs stats as guest", "GET", "/api/logs/stats", role=GUEST),
    Case("logs stats as user", "GET", "/api/logs/stats", role="alice"),
    Case("log view as guest", "GET", "/api/logs/abc", role=GUEST),
    Case("log view as user", "GET", "/api/logs/abc", role="alice"),
    Case("logs truncate as guest", "DELETE", "/api/logs", role=GUEST),
    Case("logs truncate as user", "DELETE", "/api/logs", role="alice"),
    Case("log view of an unknown id", "GET", "/api/logs/nonexistent1234"),
    Case("log view of a malformed id", "GET", "/api/logs/not-a-log-id"),
    Case("logs list with an unparsable filter", "GET", "/api/logs", params={"filter": "((("}),
    Case("logs list filtering an unknown field", "GET", "/api/logs", params={"filter": "foo = 1"}),
    Case("logs list filtering @request", "GET", "/api/logs", params={"filter": "@request.auth.id = ''"}),
    Case("logs list sorting an unknown field", "GET", "/api/logs", params={"sort": "foo"}),
    Case("logs stats with an unparsable filter", "GET", "/api/logs/stats", params={"filter": "((("}),
    Case("logs stats filtering an unknown field", "GET", "/api/logs/stats", params={"filter": "foo = 1"}),
    Case("logs list of nothing", "GET", "/api/logs", params={"filter": 'data.url = "/never/requested"'}),
    Case("logs stats of nothing", "GET", "/api/logs/stats", params={"filter": 'data.url = "/never/requested"'}),
    Case("logs POST is no route", "POST", "/api/logs"),
    Case("log PATCH is no route", "PATCH", "/api/logs/abc"),
    Case("logs with a trailing slash", "GET", "/api/logs/"),
    Case("logs with a trailing slash as guest", "GET", "/api/logs/", role=GUEST),
    Case("logs stats with a sub path", "GET", "/api/logs/stats/x"),
    Case("logs list of nothing at random", "GET", "/api/logs",
         params={"filter": 'data.url = "/never/requested"', "sort": "@random"}),
    Case("logs list with skipTotal of nothing", "GET", "/api/logs",
         params={"filter": 'data.url = "/never/requested"', "skipTotal": "1", "page": "-1"}),
)


@pytest.mark.parametrize("case", CASES)
def test_logs_api(paired: PairedClient, case: Case) -> None:
    # Given both servers up, When the same logs request goes to both, Then status and body agree
    check(paired, case)


@pytest.fixture(scope="module")
def marked(paired: PairedClient) -> str:
    """A marker, and on both sides five logged requests carrying it: two GETs and a HEAD that succeed, a 404, a
    user's 400; and an OPTIONS request, which neither side logs."""
    marker = uuid.uuid4().hex[:10]
    headers = {"Referer": "http://conformance.test/", "User-Agent": "conformance/1"}
    paired.send("GET", "/api/health", role=GUEST, params={"m": marker}, headers=headers)
    paired.send("GET", "/api/health", role="alice", params={"m": marker, "n": "a b"}, headers=headers)
    paired.send("OPTIONS", "/api/health", role=GUEST, params={"m": marker}, headers=headers)
    paired.send("HEAD", "/api/health", role=GUEST, params={"m": marker, "head": "1"}, headers=headers)
    paired.send("GET", f"/api/collections/missing_{marker}/records", role=GUEST, headers=headers)
    paired.send("POST", "/api/collections/users/auth-with-password", role=GUEST, params={"m": marker},
                json={"identity": "nobody@example.com", "password": "wrong-password"}, headers=headers)
    wait_for_logs(paired, f'data.url ~ "{marker}"', 5)
    return marker


def wait_for_logs(paired: PairedClient, filter_text: str, count: int, timeout: float = 20.0) -> None:
    """Poll both sides until each lists `count` logs matching the filter."""
    deadline = time.monotonic() + timeout
    for side in paired.sides.values():
        while True:
            page = side.http.get("/api/logs", params={"filter": filter_text},
                                 headers={"Authorization": side.tokens[SUPERUSER]}).json()
            if page.get("totalItems", 0) >= count:
                break
            assert time.monotonic() < deadline, f"{side.name} has {page.get('totalItems')} of {count} logs"
            time.sleep(0.3)


def comparable_logs(paired: PairedClient, params: dict[str, str]) -> tuple[Any, Any]:
    """Both sides' answer to the same logs list, with execution times and `details` reduced to their type."""
    pair = paired.send("GET", "/api/logs", params=params)
    assert pair.pb.status_code == pair.lb.status_code == 200, (pair.pb.text, pair.lb.text)
    return (normalize(_stable(pair.pb.json()), paired.pb.ids), normalize(_stable(pair.lb.json()), paired.lb.ids))


def _stable(page: dict[str, Any]) -> dict[str, Any]:
    for item in page.get("items", []):
        data = item.get("data", {})
        if "execTime" in data:
            data["execTime"] = type(data["execTime"]).__name__
        if "details" in data:
            data["details"] = "<present>"
    return page


def test_the_same_requests_give_the_same_logs(paired: PairedClient, marked: str) -> None:
    # When both sides list the marked requests' logs, oldest first
    pb, lb = comparable_logs(paired, {"filter": f'data.url ~ "{marked}"', "sort": "created"})

    # Then both logged the same requests, with the same levels, messages and data
    assert [item["message"].split()[0] for item in pb["items"]] == ["GET", "GET", "HEAD", "GET", "POST"]
    assert lb == pb


@pytest.mark.parametrize("filter_text", [
    'data.status >= 400', 'level = 8', 'data.auth = "users"', 'data.auth = ""', 'message ~ "auth-with-password"',
    'data.method = "POST" || data.status = 404', 'data.error ~ "authenticate"', 'data.nothing = null',
])
def test_filters_select_the_same_logs(paired: PairedClient, marked: str, filter_text: str) -> None:
    # When both sides filter the marked logs, newest first, showing a few fields
    params = {"filter": f'data.url ~ "{marked}" && ({filter_text})', "sort": "-created",
              "fields": "message,level,data.status"}
    pb, lb = comparable_logs(paired, params)

    # Then they select the same logs
    assert lb == pb
    assert pb["totalItems"] > 0


def test_with_no_sort_both_list_oldest_first(paired: PairedClient, marked: str) -> None:
    # When both sides list the marked requests' logs with no sort
    pb, lb = comparable_logs(paired, {"filter": f'data.url ~ "{marked}"', "fields": "message"})

    # Then both list them in the order they were made
    assert [item["message"].split()[0] for item in pb["items"]] == ["GET", "GET", "HEAD", "GET", "POST"]
    assert lb == pb


def test_sorting_and_paging_agree(paired: PairedClient, marked: str) -> None:
    # When both sides page through the marked logs sorted by status then message
    params = {"filter": f'data.url ~ "{marked}"', "sort": "-data.status,message", "perPage": "2", "page": "2",
              "fields": "message"}
    pb, lb = comparable_logs(paired, params)

    # Then the pages and totals agree
    assert lb == pb


def test_a_listed_log_is_viewed_by_its_id(paired: PairedClient, marked: str) -> None:
    # Given each side's newest marked 404
    params = {"filter": f'data.url ~ "{marked}" && data.status = 404', "sort": "-created"}
    pair = paired.send("GET", "/api/logs", params=params)
    ids = (pair.pb.json()["items"][0]["id"], pair.lb.json()["items"][0]["id"])

    # When each side views it by id
    pb = paired.pb.http.get(f"/api/logs/{ids[0]}", headers={"Authorization": paired.pb.tokens[SUPERUSER]})
    lb = paired.lb.http.get(f"/api/logs/{ids[1]}", headers={"Authorization": paired.lb.tokens[SUPERUSER]})

    # Then both answer the listed log
    assert pb.status_code == lb.status_code == 200
    assert normalize(_stable({"items": [lb.json()]}), paired.lb.ids) == \
        normalize(_stable({"items": [pb.json()]}), paired.pb.ids)


def test_stats_count_the_same_logs_per_hour(paired: PairedClient, marked: str) -> None:
    # When both sides count the marked logs, and the marked errors, per hour
    for filter_text in (f'data.url ~ "{marked}"', f'data.url ~ "{marked}" && data.status >= 400'):
        pair = paired.send("GET", "/api/logs/stats", params={"filter": filter_text})

        # Then the hourly counts agree
        assert pair.pb.status_code == pair.lb.status_code == 200
        assert normalize(pair.lb.json(), paired.lb.ids) == normalize(pair.pb.json(), paired.pb.ids)


def test_truncate_deletes_every_log_so_far(paired: PairedClient, marked: str) -> None:
    # When both sides truncate their logs (last in this module: it deletes the logs the tests above read)
    pair = paired.send("DELETE", "/api/logs")

    # Then both answer 204 and list and count none of the marked logs any more
    assert pair.pb.status_code == pair.lb.status_code == 204
    pb, lb = comparable_logs(paired, {"filter": f'data.url ~ "{marked}"'})
    assert lb == pb and pb["totalItems"] == 0
    stats = paired.send("GET", "/api/logs/stats", params={"filter": f'data.url ~ "{marked}"'})
    assert stats.pb.json() == stats.lb.json() == []
