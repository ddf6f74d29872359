"""GET /api/realtime/websocket: where the realtime WebSocket API is, so a client needs nothing but the REST URL.

On AWS the WebSocket API is another host than the HTTP API: CDK hands this function the stage's wss:// URL
(LB_WS_URL, from its `ws_url` permission); the local stack hands it ws://<host>:<port>/ws.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from shared import settings
from shared.errors import NotFoundError
from shared.http.router import Router
from shared.tools.env_settings import EnvSettings

router = Router()


class DiscoverySettings(EnvSettings):
    ws_url: str | None = None


@router.get("/api/realtime/websocket")
async def realtime_websocket() -> JSONResponse:
    url = settings.load(DiscoverySettings).ws_url
    if not url:
        # A deployment without the WebSocket API: a client falls back to SSE, or reports it.
        raise NotFoundError("Realtime over WebSocket is not deployed here.")
    return JSONResponse({"url": url})
