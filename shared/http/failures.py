"""The answer to an unexpected error: PocketBase's generic 500, given inside CORS and the security headers."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import InternalError
from shared.observability import logger


class UnhandledErrorMiddleware:
    """Turn any exception an endpoint lets escape into a 500 in PocketBase's shape.

    It is the innermost middleware, so the response still passes through the rate limiter, CORS and the security
    headers, unlike Starlette's own server-error handler, which sits outside all of them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error")
            if started:
                # Headers are already out: nothing honest can be sent any more, so the connection is cut.
                raise
            err = InternalError()
            body = json.dumps(err.body(), separators=(",", ":")).encode()
            await send({"type": "http.response.start", "status": err.status,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
