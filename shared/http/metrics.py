"""Per-route request metrics of every HTTP function: one ASGI middleware, so no endpoint records its own."""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability import record_request

# Paths no route matched are one value, not one each: a scan of random URLs must not mint a metric per URL.
UNMATCHED_ROUTE = "(unmatched)"
# Any token is a valid method; only these become a dimension value of their own, for the same reason.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(scope: Scope) -> str:
    """`METHOD /path/{template}` of the route that matched the path (a 405 included), or UNMATCHED_ROUTE."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    method = scope.get("method", "")
    return f"{method if method in KNOWN_METHODS else 'OTHER'} {path}"


class RequestMetricsMiddleware:
    """Records each HTTP request's route, status class and latency once its response has started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            # An exception escaping here becomes the outer error handler's 500, which is what `status` holds.
            record_request(route_name(scope), status, (time.perf_counter() - started) * 1000)


def install_request_metrics(app: Starlette) -> None:
    """Record request metrics for every route of the app.

    Installed by create_app, so it sits inside the guards lambda_handler adds later: a request those answer
    themselves (429 from the rate limiter, a CORS preflight) reaches no route and is not counted here.
    """
    app.add_middleware(RequestMetricsMiddleware)
