"""Discovery: `GET <base>/api/realtime/websocket` names the WebSocket URL (on AWS another host than the API)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from lambdabase.realtime.errors import RealtimeError

DISCOVERY_PATH = "/api/realtime/websocket"


def discover(base_url: str, token: str = "", timeout: float = 15.0) -> str:
    """The WebSocket URL the server at `base_url` names; RealtimeError with the server's error otherwise."""
    request = urllib.request.Request(base_url.rstrip("/") + DISCOVERY_PATH, method="GET",
                                     headers={"Accept": "application/json",
                                              **({"Authorization": token} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        raise RealtimeError(exc.code, str(answer.get("message") or exc.reason), answer.get("data")) from exc
    except (OSError, ValueError) as exc:
        raise RealtimeError(0, f"Realtime discovery at {base_url} failed: {exc}") from exc
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
        raise RealtimeError(0, f"The server at {base_url} named no WebSocket URL.")
    return url
