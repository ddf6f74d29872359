"""The local API Gateway: HTTP API v2 events, WebSocket events and the @connections management API.

Where API Gateway answers by itself (quotas, an invocation Lambda failed, its integration timeout), the local
gateway answers the same status and body, in API Gateway's shape {"message": ...}, never PocketBase's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import Field
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from local import connections_direct, routing
from local.dashboard import dashboard_routes
from local.events import gateway_id, http_event, websocket_event
from local.invoke import (
    CallerTimeoutError,
    InvocationError,
    LambdaLimits,
    RequestTooLargeError,
    default_limits,
    invoke,
    invoke_async,
)
from local.sse import sse_routes
from shared import resources
from shared.observability import logger
from shared.tools.env_settings import EnvSettings

MANAGEMENT_PREFIX = "/_aws/ws"

Invoker = Callable[..., Any]

# API Gateway HTTP API quota: "Total combined size of request line and header values: 10240 bytes" (not
# adjustable). Past it API Gateway answers itself and never invokes a function; so does the local gateway.
MAX_REQUEST_LINE_AND_HEADERS = 10_240


class GatewaySettings(EnvSettings):
    """API Gateway's own limits, AWS's by default; tests lower them (LB_INTEGRATION_TIMEOUT_S...)."""


    # HTTP API quota "Maximum integration timeout: 30 seconds" (not adjustable; REST APIs have 29 s). Past it
    # API Gateway answers 503 Service Unavailable while the function may still be running.
    integration_timeout_s: float = Field(default=30.0, gt=0)
    # WebSocket API quotas (not adjustable): "Message payload size 128 KB" (a larger message closes the connection
    # with 1009), "Idle connection timeout 10 minutes" and "Connection duration 2 hours" (closed with 1001, then
    # $disconnect). Only client messages count as activity here: AWS does not document that server posts do, so
    # clients heartbeat with `ping`. Its 32 KB frame limit cannot be seen through ASGI (the server hands over
    # whole messages), so only the message size is enforced.
    ws_max_message_bytes: int = Field(default=128 * 1024, gt=0)
    ws_idle_timeout_s: float = Field(default=600.0, gt=0)
    ws_max_lifetime_s: float = Field(default=7200.0, gt=0)


@dataclass
class Connection:
    socket: WebSocket
    connected_at: int
    source_ip: str
    user_agent: str
    last_active_at: int


# API Gateway's WebSocket quota: a message (post_to_connection's Data) is at most 128 KB.
MAX_POST_BYTES = 128 * 1024


@dataclass(frozen=True)
class ManagementAnswer:
    """What the @connections API answers: a status, API Gateway's error type, a JSON body (None: no body)."""

    status: int
    error_type: str | None = None
    body: dict[str, Any] | None = None


_GONE = ManagementAnswer(410, "GoneException", {"message": "Gone"})


class ConnectionRegistry:
    """Open WebSocket connections by API Gateway-style connection id, and the @connections API's answers on
    them, the same whether a post comes over HTTP or in-process (local/connections_direct.py)."""

    def __init__(self) -> None:
        self.open: dict[str, Connection] = {}

    def new_id(self) -> str:
        return gateway_id()

    async def post(self, connection_id: str, data: bytes) -> ManagementAnswer:
        conn = self.open.get(connection_id)
        if conn is None:
            # API Gateway answers 410 GoneException for a closed connection; moto has no such API.
            return _GONE
        if len(data) > MAX_POST_BYTES:
            return ManagementAnswer(413, "PayloadTooLargeException", {"message": "Message too long"})
        try:
            await conn.socket.send_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            await conn.socket.send_bytes(data)
        except Exception:
            self.open.pop(connection_id, None)
            return _GONE
        return ManagementAnswer(200)

    async def delete(self, connection_id: str) -> ManagementAnswer:
        conn = self.open.pop(connection_id, None)
        if conn is None:
            return _GONE
        with contextlib.suppress(Exception):
            await conn.socket.close()
        return ManagementAnswer(204)

    def describe(self, connection_id: str) -> ManagementAnswer:
        conn = self.open.get(connection_id)
        if conn is None:
            return _GONE
        # API Gateway's wire names and ISO 8601 times (the model's locationName and timestampFormat)
        return ManagementAnswer(200, body={
            "connectedAt": _iso8601(conn.connected_at),
            "identity": {"sourceIp": conn.source_ip, "userAgent": conn.user_agent},
            "lastActiveAt": _iso8601(conn.last_active_at),
        })


def _iso8601(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _client_ip(scope_client: Any) -> str:
    return scope_client.host if scope_client else "127.0.0.1"


def _own_host(scope: Any) -> str:
    """The gateway's own address, for the event's domainName. Never the Host header: the client writes that,
    while API Gateway's domainName is the API's own domain."""
    server = scope.get("server")
    return str(server[0]) if server else "127.0.0.1"


def _own_port(scope: Any) -> int:
    server = scope.get("server")
    return int(server[1]) if server and server[1] else 0


def _not_found() -> JSONResponse:
    return JSONResponse({"status": 404, "message": "The requested resource wasn't found.", "data": {}}, 404)


def request_line_and_headers_size(method: str, raw_path: bytes, query: bytes,
                                  headers: list[tuple[bytes, bytes]]) -> int:
    """Bytes API Gateway counts against its quota: the request line plus every header value."""
    target = raw_path + (b"?" + query if query else b"")
    line = len(method) + 1 + len(target) + len(b" HTTP/1.1")
    return line + sum(len(value) for _, value in headers)


def _too_large() -> JSONResponse:
    # API Gateway's own answer, in its shape (not PocketBase's): the request never reaches a function.
    return JSONResponse({"message": "Request Entity Too Large"}, status_code=413)


def _invocation_failed(error: InvocationError) -> JSONResponse:
    """API Gateway's answer when the Lambda invocation itself failed, by cause."""
    if isinstance(error, RequestTooLargeError):
        return _too_large()
    if isinstance(error, CallerTimeoutError):
        return JSONResponse({"message": "Service Unavailable"}, status_code=503)
    # A function error, a timeout of the function itself or a response over Lambda's limit.
    return JSONResponse({"message": "Internal Server Error"}, status_code=500)


def _to_response(result: Any) -> Response:
    if not isinstance(result, dict) or "statusCode" not in result:
        # API Gateway's payload v2 inference: a bare value is a 200 JSON body.
        return JSONResponse(result)
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    response = Response(content=content, status_code=int(result["statusCode"]))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.append(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.append("set-cookie", cookie)
    return response


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    """API Gateway closing a connection itself (a quota): the client sees the code and the reason."""
    conn_gone = (RuntimeError, WebSocketDisconnect)
    with contextlib.suppress(*conn_gone):
        await ws.close(code=code, reason=reason)


def create_gateway(lifespan: Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]] | None = None,
                   registry: ConnectionRegistry | None = None, settings: GatewaySettings | None = None,
                   limits: LambdaLimits | None = None, invoker: Invoker = invoke) -> Starlette:
    """Build the ASGI app that stands in for API Gateway's HTTP and WebSocket APIs.

    `invoker` is Lambda's Invoke (local.invoke.invoke); a test may wrap it to see the events functions get.
    """
    conns = registry or ConnectionRegistry()
    config = settings or GatewaySettings()
    lambda_limits = limits or default_limits()

    async def call(name: str, event: dict[str, Any]) -> Any:
        if invoker is invoke:
            # one hand-off to the function's worker thread, awaited on the loop: no thread in between
            return await invoke_async(name, event, limits=lambda_limits,
                                      caller_timeout_s=config.integration_timeout_s)
        return await run_in_threadpool(invoker, name, event, limits=lambda_limits,
                                       caller_timeout_s=config.integration_timeout_s)

    async def http_endpoint(request: Request) -> Response:
        size = request_line_and_headers_size(request.method, request.scope.get("raw_path") or b"",
                                             request.scope.get("query_string") or b"", request.scope["headers"])
        if size > MAX_REQUEST_LINE_AND_HEADERS:
            return _too_large()
        match = routing.match(request.method, request.url.path)
        if match is None:
            return _not_found()
        raw_path = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1")
        event = http_event(
            method=request.method, path=request.url.path, raw_path=raw_path, raw_query=request.url.query,
            headers=list(request.headers.items()), body=await request.body(), route_key=match.route_key,
            path_params=match.path_params, source_ip=_client_ip(request.client),
            host=_own_host(request.scope), scheme=request.url.scheme, port=_own_port(request.scope),
        )
        try:
            result = await call(match.route.function, event)
        except InvocationError as exc:
            logger.warning("invocation failed", extra={"function": match.route.function, "error": str(exc),
                                                       "kind": type(exc).__name__})
            return _invocation_failed(exc)
        except Exception:
            # An unhandled error in the function: Lambda reports a function error, API Gateway answers 500.
            logger.exception("function error", extra={"function": match.route.function})
            return _invocation_failed(InvocationError())
        try:
            return _to_response(result)
        except (TypeError, ValueError, AttributeError):
            # A result API Gateway cannot map ("malformed Lambda proxy response") is its 500 too.
            logger.exception("malformed function response", extra={"function": match.route.function})
            return _invocation_failed(InvocationError())

    async def websocket_endpoint(ws: WebSocket) -> None:
        conn_id = conns.new_id()
        headers = {k.lower(): v for k, v in ws.headers.items()}
        host = _own_host(ws.scope)
        ip = _client_ip(ws.client)
        now_ms = int(time.time() * 1000)
        common: dict[str, Any] = {"connection_id": conn_id, "host": host, "stage": resources.WEBSOCKET_STAGE,
                                  "source_ip": ip, "connected_at": now_ms, "user_agent": headers.get("user-agent", "")}
        try:
            result = await call(resources.WEBSOCKET_FUNCTION, websocket_event(
                event_type="CONNECT", headers=headers, query=dict(ws.query_params), port=_own_port(ws.scope),
                scheme=ws.url.scheme, **common))
        except Exception:
            logger.exception("$connect failed", extra={"function": resources.WEBSOCKET_FUNCTION})
            result = {"statusCode": 500}
        status = int(result.get("statusCode", 200)) if isinstance(result, dict) else 200
        if status >= 300:
            await ws.close(code=1008)
            return
        await ws.accept()
        conns.open[conn_id] = Connection(ws, now_ms, ip, headers.get("user-agent", ""), now_ms)
        close_code, close_reason = 1005, ""
        ends_at = time.monotonic() + config.ws_max_lifetime_s
        idle_since = time.monotonic()
        try:
            while True:
                wait_s = min(idle_since + config.ws_idle_timeout_s, ends_at) - time.monotonic()
                try:
                    message = await asyncio.wait_for(ws.receive(), timeout=max(wait_s, 0.0))
                except TimeoutError:
                    close_code, close_reason = 1001, "Going away"
                    await _close(ws, close_code, close_reason)
                    break
                if message["type"] == "websocket.disconnect":
                    close_code = int(message.get("code") or 1005)
                    close_reason = str(message.get("reason") or "")
                    break
                # A binary frame reaches the function base64-encoded, as API Gateway sends it.
                body = message.get("text")
                if body is None:
                    body = message.get("bytes") or b""
                size = len(body.encode()) if isinstance(body, str) else len(body)
                if size > config.ws_max_message_bytes:
                    close_code, close_reason = 1009, "Message too big"
                    await _close(ws, close_code, close_reason)
                    break
                idle_since = time.monotonic()
                conns.open[conn_id].last_active_at = int(time.time() * 1000)
                try:
                    await call(resources.WEBSOCKET_FUNCTION, websocket_event(
                        event_type="MESSAGE", body=body, **common))
                except Exception:
                    # API Gateway drops a failed message's invocation; the connection stays open.
                    logger.exception("message invocation failed", extra={"function": resources.WEBSOCKET_FUNCTION})
        except WebSocketDisconnect as exc:
            close_code, close_reason = exc.code, str(exc.reason or "")
        finally:
            conns.open.pop(conn_id, None)
            try:
                await call(resources.WEBSOCKET_FUNCTION, websocket_event(
                    event_type="DISCONNECT", close_code=close_code, close_reason=close_reason, **common))
            except Exception:
                # $disconnect is best effort on AWS too: the connection is gone whatever the function answers.
                logger.exception("$disconnect failed", extra={"function": resources.WEBSOCKET_FUNCTION})

    async def management_endpoint(request: Request) -> Response:
        conn_id = request.path_params["connection_id"]
        if request.method == "POST":
            answer = await conns.post(conn_id, await request.body())
        elif request.method == "DELETE":
            answer = await conns.delete(conn_id)
        else:
            answer = conns.describe(conn_id)
        headers = {"x-amzn-ErrorType": answer.error_type} if answer.error_type else None
        if answer.body is None:
            return Response(status_code=answer.status, headers=headers)
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)

    @contextlib.asynccontextmanager
    async def lifespan_with_direct_posts(app: Starlette) -> AsyncIterator[None]:
        # Functions of this process post to these connections in-process, with the same answers as over HTTP.
        connections_direct.attach(conns, asyncio.get_running_loop())
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            connections_direct.detach(conns)

    routes = [
        Route(MANAGEMENT_PREFIX + "/@connections/{connection_id:path}", management_endpoint,
              methods=["GET", "POST", "DELETE"]),
        WebSocketRoute(f"/{resources.WEBSOCKET_STAGE}", websocket_endpoint),
        # PocketBase's SSE protocol, through the bridge function's app as on AWS (local/sse.py)
        *sse_routes(),
        # the admin dashboard's static files (CloudFront serves them from S3 on AWS)
        *dashboard_routes(),
        Route("/{path:path}", http_endpoint,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan_with_direct_posts)
    app.state.connections = conns
    return app

