"""Lambda entry point of the WebSocket API: $connect, $default (every client message) and $disconnect."""

from __future__ import annotations

import base64
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from shared import aws, settings
    from shared.observability import instrument
    from shared.realtime import protocol
    from shared.realtime.deps import build_deps
    from shared.realtime.sender import ApiGatewaySender, management_endpoint
    from shared.realtime.subscriptions import Connection

    # The SDK models of the services its first event calls, parsed at init (see shared/aws.py).
    aws.prepare("dynamodb")


def _handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    cfg = settings.load(settings.RealtimeSettings)
    ctx = event["requestContext"]
    endpoint = management_endpoint(cfg.ws_management_endpoint, ctx["domainName"], ctx["stage"])
    deps = build_deps(cfg.system_table, cfg.records_table, ApiGatewaySender(endpoint))
    conn_id = ctx["connectionId"]
    if ctx["eventType"] == "CONNECT":
        identity = ctx.get("identity", {})
        protocol.on_connect(deps, Connection(connection_id=conn_id, connected_at=int(ctx.get("connectedAt", 0)),
                                             source_ip=identity.get("sourceIp", ""),
                                             user_agent=identity.get("userAgent", "")))
    elif ctx["eventType"] == "DISCONNECT":
        protocol.on_disconnect(deps, conn_id)
    else:
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            # a binary frame: JSON sent as bytes is still a message (anything else fails to parse, a 400)
            body = base64.b64decode(body).decode("utf-8", errors="replace")
        protocol.on_message(deps, conn_id, body)
    return {"statusCode": 200}


handler = instrument(_handle, correlation_id_path="requestContext.requestId")
