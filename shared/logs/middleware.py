"""The ASGI middleware every deployed HTTP function runs outermost: one request log line per answered request.

It only observes: the status and, for an error, the body's PocketBase error (`message`, `data`), the caller the
request verified (kept on the request state by the composition root), the timing; then it emits one line
(shared/logs/emitter.py). A failure to log never changes the answer.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.app_settings import provider
from shared.http.requests import real_ip, remote_ip
from shared.logs.emitter import emit
from shared.logs.repository import StoredLog
from shared.logs.request_log import RequestFacts, build_request_log, expires_at
from shared.observability import logger

# Error bodies are PocketBase's small JSON; past this the message is not looked for (nothing is cut from the
# answer itself).
MAX_ERROR_BODY = 64 * 1024
# As PocketBase's SkipSuccessActivityLog on its logs routes: reading the logs does not add logs, unless it fails.
SKIP_SUCCESS_PREFIXES = ("/api/logs",)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        body = bytearray()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400 and len(body) < MAX_ERROR_BODY:
                body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            exec_ms = (time.perf_counter() - started) * 1000
            try:
                # stamped once answered, as PocketBase's logger stamps the log it writes after the response
                log_request(scope, status, bytes(body), int(time.time() * 1000), exec_ms)
            except Exception:
                logger.exception("request log failed")


def log_request(scope: Scope, status: int, error_body: bytes, created_ms: int, exec_ms: float) -> None:
    """Build this request's log from its scope and answer, and emit it unless PocketBase would not log it."""
    path = str(scope.get("path", ""))
    if status < 400 and path.startswith(SKIP_SUCCESS_PREFIXES):
        return
    if scope.get("method") == "OPTIONS":
        return  # PocketBase answers OPTIONS (CORS preflights) before its activity logger sees them
    settings = provider.current()
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    remote = remote_ip(scope)
    auth = (scope.get("state") or {}).get("lb_auth")
    error, details = _error_of(status, error_body)
    facts = RequestFacts(
        method=str(scope.get("method", "")), url=_request_uri(scope), status=status,
        exec_ms=round(exec_ms, 6), created_ms=created_ms,
        auth_collection=str(getattr(getattr(auth, "collection", None), "name", "") or ""),
        auth_id=str(getattr(getattr(auth, "record", None), "id", "") or ""),
        remote_ip=remote, user_ip=real_ip(Headers(scope=scope), remote, settings.trusted_proxy),
        referer=headers.get("referer", ""), user_agent=headers.get("user-agent", ""),
        error=error, details=details,
    )
    entry = build_request_log(facts, settings.logs)
    if entry is not None:
        emit(StoredLog(entry, expires_at(entry, settings.logs.max_days)))


def _request_uri(scope: Scope) -> str:
    """The URI as the client sent it (API Gateway's rawPath and rawQueryString), else the scope's path."""
    event = scope.get("aws.event") or {}
    path = event.get("rawPath") or scope.get("path", "")
    query = event.get("rawQueryString") if event else scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else str(path)


def _error_of(status: int, body: bytes) -> tuple[str | None, Any]:
    """(error message, details) of an error answer; (None, None) for a success."""
    if status < 400:
        return None, None
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    message = parsed.get("message")
    data = parsed.get("data")
    return (str(message) if message is not None else f"HTTP {status}"), (data or None)


def install_request_log(app: Any) -> None:
    """Log every request of the app; added last, so outermost: 429s and CORS answers are logged too."""
    app.add_middleware(RequestLogMiddleware)
