"""The request log middleware of every HTTP function: one line per answered request, with the error of a failed
one, the caller the request verified, PocketBase's real IP rule, and no line for a successful read of the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.testclient import TestClient

from shared.app_settings import provider
from shared.app_settings.model import AppSettings, LogsSettings, TrustedProxySettings
from shared.errors import BadRequestError
from shared.http.app import create_app
from shared.http.router import Router
from shared.logs.emitter import LOGGER_NAME, parse_request_log_line
from shared.logs.middleware import install_request_log
from shared.logs.repository import StoredLog

router = Router()


@router.get("/api/ok")
def ok(request: Request) -> dict[str, str]:
    # what the composition root keeps once it has verified a token
    request.state.lb_auth = SimpleNamespace(collection=SimpleNamespace(name="users"),
                                            record=SimpleNamespace(id="u1"))
    return {"ok": "yes"}


@router.get("/api/fail")
def fail(request: Request) -> None:
    raise BadRequestError("Failed to do it.", {"field": {"code": "validation_required", "message": "Missing."}})


@router.get("/api/logs")
def logs(request: Request) -> dict[str, str]:
    return {"items": "none"}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.logs: list[StoredLog] = []

    def emit(self, record: logging.LogRecord) -> None:
        parsed = parse_request_log_line(record.getMessage())
        assert parsed is not None
        self.logs.append(parsed)


@pytest.fixture
def captured() -> Iterator[Lines]:
    lines = Lines()
    request_log = logging.getLogger(LOGGER_NAME)
    request_log.handlers = [lines]
    request_log.propagate = False
    request_log.setLevel(logging.INFO)
    yield lines
    request_log.handlers = []
    provider.use_source(None)


def client(settings: AppSettings | None = None) -> TestClient:
    provider.use_source(provider.MemorySettingsSource(settings or AppSettings()))
    app: FastAPI = create_app([router])
    install_request_log(app)
    return TestClient(app)


def test_each_request_is_one_line_with_its_answer_and_caller(captured: Lines) -> None:
    # When a signed-in request succeeds and another fails
    http = client(AppSettings(logs=LogsSettings(log_auth_id=True)))
    http.get("/api/ok?x=%20y", headers={"User-Agent": "ua", "Referer": "http://r.test/"})
    http.get("/api/fail")

    # Then each is one log: the success an INFO with the caller, the failure an ERROR with its message and data
    success, failure = (stored.entry for stored in captured.logs)
    assert success.level == 0 and success.message == "GET /api/ok?x= y"
    assert success.data["url"] == "/api/ok?x=%20y" and success.data["status"] == 200
    assert (success.data["auth"], success.data["authId"]) == ("users", "u1")
    assert (success.data["userAgent"], success.data["referer"]) == ("ua", "http://r.test/")
    assert failure.level == 8 and failure.data["status"] == 400 and failure.data["auth"] == ""
    assert failure.data["error"] == "Failed to do it."
    assert failure.data["details"] == {"field": {"code": "validation_required", "message": "Missing."}}
    assert all(s.expires_at == s.entry.created_ms // 1000 + 5 * 86_400 for s in captured.logs)


def test_a_successful_read_of_the_logs_and_options_are_not_logged_but_a_404_is(captured: Lines) -> None:
    # When the logs route answers, an OPTIONS request is made, and an unknown route is asked
    http = client()
    http.get("/api/logs")
    http.options("/api/ok")
    http.get("/api/unknown")

    # Then only the 404 is logged, as PocketBase skips its logs routes' successes and never sees OPTIONS
    assert [s.entry.data["status"] for s in captured.logs] == [404]
    assert captured.logs[0].entry.data["error"] == "File not found."


def test_the_user_ip_follows_the_trusted_proxy_headers(captured: Lines) -> None:
    # Given a trusted X-Forwarded-For, rightmost address first as PocketBase's default
    trusted = AppSettings(trusted_proxy=TrustedProxySettings(headers=("X-Forwarded-For",)))

    # When a request comes through two proxies, with and without the trusted header configured
    client(trusted).get("/api/ok", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.1"})
    client().get("/api/ok", headers={"X-Forwarded-For": "198.51.100.7"})

    # Then the user IP is the header's address only when trusted; the remote IP is always the peer
    first, second = (s.entry.data for s in captured.logs)
    assert first["userIP"] == "203.0.113.1" and first["remoteIP"] == "testclient"
    assert second["userIP"] == second["remoteIP"] == "testclient"
