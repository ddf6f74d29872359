"""ASGI middleware applying the rate limiter: X-RateLimit-* headers, and PocketBase's 429 past the limit."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.requests import scope_client_ip
from shared.observability import logger
from shared.ratelimit.limiter import RateLimitDecision, RateLimiter, RequestInfo, default_rate_limiter

Identity = tuple[str | None, bool]
# Tells who is calling: (user id or None for a guest, whether the caller is a superuser).
Identify = Callable[[Request], Identity | Awaitable[Identity]]

TOO_MANY_REQUESTS = {"status": 429, "message": "Too Many Requests.", "data": {}}


def rate_limit_headers(decision: RateLimitDecision) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(decision.remaining).encode()),
        (b"x-ratelimit-reset", str(decision.reset_epoch).encode()),
    ]


class RateLimitMiddleware:
    """Counts every HTTP request against its rule before the app sees it."""

    def __init__(self, app: ASGIApp, identify: Identify,
                 limiter_factory: Callable[[], RateLimiter] = default_rate_limiter) -> None:
        self.app = app
        self._identify = identify
        # Built on the first request, not at import: settings and clients belong to the cold start's first use.
        self._limiter_factory = limiter_factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_preflight(scope):
            await self.app(scope, receive, send)
            return
        # No receive channel: identify reads headers only and can never consume the body.
        user_id, is_superuser = await self._who(Request(scope))
        limiter = self._limiter_factory()
        # The real IP reads the trusted-proxy settings: a function that limits nothing never loads them.
        info = RequestInfo(method=scope["method"], path=scope["path"],
                           ip=scope_client_ip(scope) if limiter.may_limit else "",
                           user_id=user_id, is_superuser=is_superuser)
        # Inline, not in a worker thread: one invocation at a time per instance (see shared/http/router.py).
        decision = limiter.check(info)
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = rate_limit_headers(decision)
        if not decision.allowed:
            await _too_many_requests(send, headers, decision.retry_after_s)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _who(self, request: Request) -> Identity:
        try:
            result = self._identify(request)
            if inspect.isawaitable(result):
                result = await result
            user_id, is_superuser = result
            return user_id, bool(is_superuser)
        except Exception:
            # An unreadable or invalid token makes the caller a guest here; the endpoint itself answers 401.
            logger.debug("rate limit identify failed; counting as guest", exc_info=True)
            return None, False


def _is_preflight(scope: Scope) -> bool:
    if scope["method"] != "OPTIONS":
        return False
    return any(name == b"access-control-request-method" for name, _ in scope.get("headers", []))


async def _too_many_requests(send: Send, headers: list[tuple[bytes, bytes]], retry_after_s: int) -> None:
    body = json.dumps(TOO_MANY_REQUESTS).encode()
    await send({
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after_s).encode()),
            *headers,
        ],
    })
    await send({"type": "http.response.body", "body": body})


def install_rate_limit(app: Any, identify: Identify,
                       limiter_factory: Callable[[], RateLimiter] = default_rate_limiter) -> None:
    """Add rate limiting to a Starlette app; call before install_security so CORS wraps the 429."""
    app.add_middleware(RateLimitMiddleware, identify=identify, limiter_factory=limiter_factory)
