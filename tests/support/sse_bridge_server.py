"""The SSE bridge as the Web Adapter runs it, one process serving uvicorn on a port, for measurements.

It imports the deployed handler module (so its memory is the function's), then serves the same app over an
in-memory store, its sockets going to the WebSocket URL given: `python -m tests.support.sse_bridge_server PORT
WS_URL`. POST is not measured here, so the protocol's commands are inert.
"""

from __future__ import annotations

import sys

import uvicorn

import functions.realtime_sse.handler as deployed
from functions.realtime_sse.app import create_bridge
from functions.realtime_sse.control import StoreControl
from shared.app_settings import provider
from shared.app_settings.model import AppSettings
from shared.app_settings.provider import MemorySettingsSource
from shared.realtime.subscriptions import InMemorySubscriptionStore


class _OpenStore(InMemorySubscriptionStore):
    """Remembers whatever connection the bridge registers (the stand-in WebSocket API keeps its own)."""

    def set_source(self, connection_id: str, source_ip: str, user_agent: str) -> None:
        return None


def main() -> None:
    port, ws_url = int(sys.argv[1]), sys.argv[2]
    provider.use_source(MemorySettingsSource(AppSettings()))
    control = StoreControl(_OpenStore(), lambda *_: None, lambda *_: None, lambda *_: None)
    config = deployed.config.model_copy(update={"realtime_ws_url": ws_url})
    uvicorn.run(create_bridge(config, lambda: control), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
