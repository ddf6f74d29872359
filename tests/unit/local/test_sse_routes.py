"""The local gateway sends every method of /api/realtime, and nothing else, to the SSE bridge's app."""

from __future__ import annotations

from starlette.routing import Match
from starlette.testclient import TestClient

from local.gateway import create_gateway


def _route_for(app: object, method: str, path: str) -> str:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
    for route in app.routes:  # type: ignore[attr-defined]
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(route.path)
    return ""


def test_only_api_realtime_itself_goes_to_the_bridge() -> None:
    # Given the local gateway, Then /api/realtime in any method is the bridge's, its sub-paths the HTTP API's
    app = create_gateway()
    assert {_route_for(app, m, "/api/realtime") for m in ("GET", "POST", "DELETE", "OPTIONS")} == {"/api/realtime"}
    assert _route_for(app, "GET", "/api/realtime/websocket") == "/{path:path}"


def test_other_methods_get_pocketbases_404_from_the_bridge() -> None:
    # Given the gateway, When /api/realtime is asked with a method PocketBase does not serve there
    with TestClient(create_gateway()) as client:
        answer = client.delete("/api/realtime")
    # Then PocketBase's 404, as from the bridge on AWS (CloudFront sends it every method)
    assert answer.status_code == 404
    assert answer.json() == {"status": 404, "message": "The requested resource wasn't found.", "data": {}}
