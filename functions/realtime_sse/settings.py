"""The SSE bridge's settings: where our WebSocket API is, and PocketBase's stream timeouts as Lambda allows them."""

from __future__ import annotations

from pydantic import Field

from shared import settings

# PocketBase's realtimeConnect: a stream with no message for 5 minutes is closed; clients reconnect.
IDLE_TIMEOUT_S = 5 * 60
# PocketBase closes every stream after 30 minutes; a Lambda invocation lasts 15 minutes at most, so the bridge
# closes its streams a minute before that, on AWS and locally alike (docs/compatibility.md).
MAX_LIFETIME_S = 14 * 60
# CloudFront cuts a response that sends nothing for its origin read timeout (30 s by default, 60 s at most
# without a quota increase): an SSE comment every 20 s keeps an idle stream open. Clients ignore comments.
KEEPALIVE_S = 20
# API Gateway closes a WebSocket after 10 minutes without a client message, and a stream may live 14: the
# bridge pings its own socket every 5 minutes, as the protocol's clients do (docs/api-realtime.md).
SOCKET_PING_S = 5 * 60


class BridgeSettings(settings.Observability, settings.Tables):
    """LB_WS_URL names our WebSocket API: CDK passes its stage URL (the `ws_url` permission), the local gateway
    its own endpoint (local/sse.py)."""

    realtime_ws_url: str = Field("", validation_alias="LB_WS_URL")
    sse_idle_timeout_s: float = Field(IDLE_TIMEOUT_S, gt=0)
    sse_max_lifetime_s: float = Field(MAX_LIFETIME_S, gt=0)
    sse_keepalive_s: float = Field(KEEPALIVE_S, gt=0)
    sse_socket_ping_s: float = Field(SOCKET_PING_S, gt=0)
    # On AWS the Lambda Web Adapter forwards the function URL's request context as a header; only there is it
    # trusted as the caller's address (anyone could send the header to a server that is not behind the adapter).
    sse_behind_web_adapter: bool = False
    # The value CloudFront adds to every request it sends the bridge (EDGE_HEADER): a request carrying it came
    # through the distribution, whose X-Forwarded-For then names the viewer (infra/constructs/sse_bridge.py).
    sse_edge_secret: str = ""
