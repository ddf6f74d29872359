"""One request's log as PocketBase builds it: fields, levels, what the log settings leave out, the data size cap,
and the line that carries it to the log writer."""

from __future__ import annotations

import json

from shared.app_settings.model import LogsSettings
from shared.logs.emitter import parse_request_log_line, request_log_line
from shared.logs.model import ID_LENGTH, id_epoch_ms
from shared.logs.repository import StoredLog
from shared.logs.request_log import RequestFacts, build_request_log, expires_at

CREATED_MS = 1_796_133_355_845  # 2026-12-01 13:55:55.845Z


def facts(**changes: object) -> RequestFacts:
    base = dict(method="get", url="/api/collections/posts/records?filter=a%20b", status=200, exec_ms=1.25,
                created_ms=CREATED_MS, auth_collection="users", auth_id="u1234567890abcd", remote_ip="10.0.0.1",
                user_ip="203.0.113.9", referer="http://app.test/", user_agent="agent/1")
    base.update(changes)
    return RequestFacts(**base)  # type: ignore[arg-type]


def test_a_successful_request_is_an_info_log_with_pocketbases_data() -> None:
    # When a successful request is logged with the default settings
    entry = build_request_log(facts(), LogsSettings())

    # Then it is PocketBase's request log: INFO, "METHOD unescaped-uri", the request's facts in data
    assert entry is not None
    assert entry.level == 0
    assert entry.message == "GET /api/collections/posts/records?filter=a b"
    assert entry.created == "2026-12-01 13:55:55.845Z"
    assert entry.data == {"type": "request", "execTime": 1.25, "url": "/api/collections/posts/records?filter=a%20b",
                          "method": "GET", "status": 200, "referer": "http://app.test/", "userAgent": "agent/1",
                          "auth": "users", "userIP": "203.0.113.9", "remoteIP": "10.0.0.1"}
    assert len(entry.id) == ID_LENGTH and id_epoch_ms(entry.id) == CREATED_MS


def test_a_failed_request_is_an_error_log_with_its_message_and_details() -> None:
    # When a request answered with an error is logged
    entry = build_request_log(facts(status=400, error="Failed.", details={"a": {"code": "x"}}), LogsSettings())

    # Then it is an ERROR with the error's message and data
    assert entry is not None
    assert entry.level == 8
    assert entry.data["error"] == "Failed."
    assert entry.data["details"] == {"a": {"code": "x"}}


def test_settings_leave_out_ips_add_the_auth_id_and_drop_levels_under_the_minimum() -> None:
    # Given settings without IPs, with auth ids, and a minimum level above INFO
    quiet = LogsSettings(log_ip=False, log_auth_id=True)
    errors_only = LogsSettings(min_level=5)

    # When requests are logged under them
    entry = build_request_log(facts(), quiet)
    dropped = build_request_log(facts(), errors_only)
    kept = build_request_log(facts(status=500, error="boom"), errors_only)

    # Then the IPs are gone and the auth id is there; INFO is dropped under minLevel 5, ERROR kept
    assert entry is not None
    assert "userIP" not in entry.data and "remoteIP" not in entry.data
    assert entry.data["authId"] == "u1234567890abcd"
    assert dropped is None
    assert kept is not None and kept.level == 8


def test_no_retention_means_no_logs() -> None:
    # When maxDays is 0, Then nothing is logged, as in PocketBase
    assert build_request_log(facts(), LogsSettings(max_days=0)) is None


def test_data_over_max_data_size_is_cut_from_its_longest_texts() -> None:
    # Given a request with a very long user agent and a small data cap
    entry = build_request_log(facts(user_agent="x" * 5000), LogsSettings(max_data_size=600))

    # Then the data fits, the long text was cut and the filterable facts are whole
    assert entry is not None
    assert len(json.dumps(entry.data, separators=(",", ":")).encode()) <= 600
    assert entry.data["userAgent"].startswith("xxx") and len(entry.data["userAgent"]) < 5000
    assert entry.data["status"] == 200 and entry.data["method"] == "GET"


def test_the_log_line_round_trips_and_other_lines_are_no_logs() -> None:
    # Given a built log and its line
    entry = build_request_log(facts(), LogsSettings())
    assert entry is not None
    stored = StoredLog(entry, expires_at(entry, 5))
    line = request_log_line(stored)

    # Then the writer reads the same log back, with its expiry 5 days on, and ignores other lines
    assert parse_request_log_line(line) == stored
    assert stored.expires_at == CREATED_MS // 1000 + 5 * 86_400
    assert json.loads(line)["lbLog"] == "request"
    assert parse_request_log_line('{"level":"INFO","message":"cold start"}') is None
    assert parse_request_log_line("START RequestId: 1 Version: $LATEST") is None
