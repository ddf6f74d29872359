"""Turns an HTTP request into the RequestContext that rules see, and the caller's identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request

if TYPE_CHECKING:
    from shared.records.context import AuthState, RequestContext


def client_ip(request: Request) -> str:
    event = request.scope.get("aws.event") or {}
    source = (event.get("requestContext") or {}).get("http", {}).get("sourceIp")
    if source:
        return str(source)
    return request.client.host if request.client else ""


def request_context(request: Request, auth: AuthState | None, body: dict[str, Any] | None = None,
                    context: str = "default") -> RequestContext:
    # Imported here: the records engine is not needed to read a client's address (the health function does).
    from shared.records.context import RequestContext

    # PocketBase exposes headers lowercased with dashes as underscores: X-Token -> @request.headers.x_token
    headers = {k.lower().replace("-", "_"): v for k, v in request.headers.items()}
    return RequestContext(method=request.method, auth=auth, headers=headers, query=dict(request.query_params),
                          body={k: v for k, v in (body or {}).items() if isinstance(k, str)}, context=context,
                          ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))
