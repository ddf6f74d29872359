"""The SSE bridge's ASGI app: GET /api/realtime streams PocketBase's SSE, POST /api/realtime sets subscriptions.

The same app runs under uvicorn behind the Lambda Web Adapter on AWS (function URL, RESPONSE_STREAM) and inside
the local gateway (local/sse.py); only the WebSocket URL it connects to differs.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from functions.realtime_sse.bridge_socket import SocketUnavailableError, open_socket
from functions.realtime_sse.control import SubscriptionControl
from functions.realtime_sse.settings import BridgeSettings
from functions.realtime_sse.stream import StreamLimits, sse_stream
from functions.realtime_sse.subscribe import parse_form, set_subscriptions
from shared.errors import ApiError, BadRequestError, NotFoundError, ServiceUnavailableError
from shared.http.failures import UnhandledErrorMiddleware
from shared.http.requests import client_ip
from shared.http.security import install_security
from shared.observability import logger

# PocketBase's realtimeConnect headers; X-Accel-Buffering keeps nginx-like proxies from holding events back.
STREAM_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no"}
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
ADAPTER_CONTEXT_HEADER = b"x-amzn-request-context"
EDGE_HEADER = b"x-lambdabase-edge"


def _error(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


async def _form_body(request: Request) -> Any:
    """The POST body as PocketBase's BindBody reads it: JSON, or a form; anything else is its generic 400."""
    content_type = request.headers.get("content-type", "").lower()
    raw = await request.body()
    if not raw.strip():
        return {}
    if content_type.startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError:
            raise BadRequestError() from None
    if content_type.startswith(_FORM_TYPES):
        form = await request.form()
        return {"clientId": form.get("clientId", ""),
                "subscriptions": [str(v) for v in form.getlist("subscriptions")]}
    raise BadRequestError()


class AdapterContextMiddleware:
    """Under the Lambda Web Adapter, the function URL's request context (the caller's sourceIp) arrives as a
    header; put it where shared.http.requests reads API Gateway's, so the client address is computed as
    everywhere else (trusted proxy headers included).

    Behind CloudFront that sourceIp is an edge server's, and one client's GET and POST may come through
    different ones; a request carrying the distribution's secret header came through it, so the viewer is the
    rightmost X-Forwarded-For address other than that edge (CloudFront appends the viewer it saw). A request
    without the secret (the function URL called directly) keeps its own sourceIp, which nobody can forge.
    """

    def __init__(self, app: ASGIApp, trusted: bool, edge_secret: str = "") -> None:
        self.app = app
        self.trusted = trusted
        self.edge_secret = edge_secret.encode()

    def _viewer(self, headers: list[tuple[bytes, bytes]], edge_ip: str) -> str | None:
        secret = next((v for k, v in headers if k == EDGE_HEADER), b"")
        if not self.edge_secret or not hmac.compare_digest(secret, self.edge_secret):
            return None
        hops = b",".join(v for k, v in headers if k == b"x-forwarded-for").decode("latin-1").split(",")
        for hop in reversed(hops):
            hop = hop.strip()
            if hop and hop != edge_ip and _is_address(hop):
                return hop
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted:
            headers = scope.get("headers", [])
            raw = next((v for k, v in headers if k == ADAPTER_CONTEXT_HEADER), None)
            if raw is not None:
                try:
                    context = json.loads(raw)
                except ValueError:
                    context = {}
                context = context if isinstance(context, dict) else {}
                found = context.get("http")
                http: dict[str, Any] = found if isinstance(found, dict) else {}
                viewer = self._viewer(headers, str(http.get("sourceIp", "")))
                if viewer is not None:
                    context = {**context, "http": {**http, "sourceIp": viewer}}
                scope = {**scope, "aws.event": {"requestContext": context}}
        await self.app(scope, receive, send)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def create_bridge(config: BridgeSettings, control: Callable[[], SubscriptionControl],
                  ws_url: Callable[[Request], str] | None = None) -> ASGIApp:
    """The bridge app; `control` is built on first use, `ws_url` defaults to LB_REALTIME_WS_URL."""
    limits = StreamLimits(config.sse_idle_timeout_s, config.sse_max_lifetime_s, config.sse_keepalive_s,
                          config.sse_socket_ping_s)
    url_of = ws_url or (lambda _request: config.realtime_ws_url)

    async def connect(request: Request) -> Response:
        ip = client_ip(request)
        user_agent = request.headers.get("user-agent", "")
        try:
            socket = await open_socket(url_of(request), user_agent)
        except SocketUnavailableError as exc:
            logger.warning("sse bridge cannot open its socket", extra={"error": str(exc)})
            return _error(ServiceUnavailableError())
        try:
            await run_in_threadpool(control().register, socket.connection_id, ip, user_agent)
        except Exception:
            await socket.close()
            raise
        logger.debug("sse client connected", extra={"clientId": socket.connection_id})
        return StreamingResponse(sse_stream(socket, limits), headers=STREAM_HEADERS)

    async def subscribe(request: Request) -> Response:
        try:
            form = parse_form(await _form_body(request))
            await run_in_threadpool(set_subscriptions, control(), form, request.headers.get("authorization"),
                                    client_ip(request))
        except ApiError as err:
            return _error(err)
        return Response(status_code=204)

    async def not_found(_request: Request) -> Response:
        return _error(NotFoundError())

    app = Starlette(routes=[Route("/api/realtime", connect, methods=["GET"]),
                            Route("/api/realtime", subscribe, methods=["POST"]),
                            Route("/{path:path}", not_found, methods=["GET", "HEAD", "POST", "PUT", "PATCH",
                                                                      "DELETE"])])
    # An unexpected error is PocketBase's 500 (innermost, so it still gets CORS and the security headers); then
    # CORS (browsers' EventSource and fetch come cross-origin) and the security headers, as every HTTP function.
    app.add_middleware(UnhandledErrorMiddleware)
    install_security(app)
    return AdapterContextMiddleware(app, trusted=config.sse_behind_web_adapter, edge_secret=config.sse_edge_secret)
