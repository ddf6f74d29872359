"""PocketBase's SSE endpoints on the local gateway: the bridge function's own app, its sockets going to the
gateway's WebSocket endpoint as they go to the WebSocket API on AWS (the Web Adapter's part is uvicorn's here)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared import resources


def own_websocket_url(request: Request) -> str:
    """The gateway's own WebSocket endpoint, on the address and port this request came in on."""
    server = request.scope.get("server") or ("127.0.0.1", 8090)
    return f"ws://{server[0]}:{server[1]}/{resources.WEBSOCKET_STAGE}"


class _BridgeOnFirstRequest:
    """The bridge app, imported on the first request, as Lambda imports a handler on its first invocation: a
    stack nobody asks for SSE never loads it (its init prepares the AWS SDK, as every function's does)."""

    def __init__(self) -> None:
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            from functions.realtime_sse.app import create_bridge
            from functions.realtime_sse.handler import config, production_control

            self._app = create_bridge(config, production_control, ws_url=own_websocket_url)
        await self._app(scope, receive, send)


def sse_routes() -> list[Route]:
    """Every method of `/api/realtime` to the bridge app, as CloudFront sends them to its function URL."""
    return [Route(resources.SSE_BRIDGE_PATH, _BridgeOnFirstRequest())]
