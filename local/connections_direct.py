"""In-process @connections calls: a function's post_to_connection handed to the local gateway, not sent over HTTP.

On the local stack the functions run in the gateway's own process, so a post to the management endpoint
(LB_WS_MANAGEMENT_ENDPOINT) crossing loopback HTTP cost a client-side request (endpoint rules, signing, a pooled
connection) and a server-side one (uvicorn, Starlette) per message, several milliseconds: a thousand posts
took seconds. botocore still builds and validates the call as before; on its `before-call` event the request
goes to the gateway's ConnectionRegistry on the gateway's event loop instead, and the registry's answer
(200, 204, 410 GoneException, 413 PayloadTooLargeException over 128 KB) comes back through botocore's own
parser, so a caller sees the very same results and ClientErrors as over HTTP (the HTTP route answers from the
same registry methods). Calls to any other endpoint take botocore's ordinary path.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from local.gateway import ConnectionRegistry, ManagementAnswer

# A post waits this long for the gateway's loop before the caller sees a failure (API Gateway's own timeout
# for a management call is far shorter than a function's).
POST_TIMEOUT_S = 10.0
_CONNECTIONS_PATH = "/@connections/"

_lock = threading.Lock()
# Every running gateway of the process with its loop: test suites run several (one per client address), and a
# connection id belongs to one of them.
_attached: list[tuple[ConnectionRegistry, asyncio.AbstractEventLoop]] = []
_installed = False


def attach(registry: ConnectionRegistry, loop: asyncio.AbstractEventLoop) -> None:
    """Serve in-process posts from this registry, on this loop (the gateway's, from its startup on)."""
    with _lock:
        _attached.append((registry, loop))
    install()


def detach(registry: ConnectionRegistry) -> None:
    with _lock:
        _attached[:] = [pair for pair in _attached if pair[0] is not registry]


def _gateway_of(connection_id: str) -> tuple[ConnectionRegistry, asyncio.AbstractEventLoop] | None:
    """The gateway holding this connection; any gateway (which answers 410) when none does."""
    with _lock:
        pairs = list(_attached)
    return next((pair for pair in pairs if connection_id in pair[0].open), pairs[-1] if pairs else None)


def _target(url: str) -> str | None:
    """The connection id of a call to the configured management endpoint, else None."""
    endpoint = os.environ.get("LB_WS_MANAGEMENT_ENDPOINT", "")
    if not endpoint or not url.startswith(endpoint.rstrip("/") + _CONNECTIONS_PATH):
        return None
    return unquote(urlsplit(url).path.split(_CONNECTIONS_PATH, 1)[1])


def _answer_for(method: str, connection_id: str, body: bytes) -> ManagementAnswer | None:
    attached = _gateway_of(connection_id)
    if attached is None:
        return None
    registry, loop = attached
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop or loop.is_closed():
        return None  # on the loop itself a wait would deadlock: take the HTTP path
    if method == "POST":
        future = asyncio.run_coroutine_threadsafe(registry.post(connection_id, body), loop)
    elif method == "DELETE":
        future = asyncio.run_coroutine_threadsafe(registry.delete(connection_id), loop)
    else:
        return registry.describe(connection_id)
    return future.result(timeout=POST_TIMEOUT_S)


def install() -> None:
    """Register the direct path for clients created from now on."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    from botocore.awsrequest import AWSResponse
    from botocore.endpoint import convert_to_response_dict
    from botocore.handlers import BUILTIN_HANDLERS
    from botocore.parsers import create_parser
    from moto.core.botocore_stubber import MockRawResponse

    parser = create_parser("rest-json")

    def direct(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        url = params["url"]
        connection_id = _target(url)
        if connection_id is None:
            return None
        body = params.get("body") or b""
        answer = _answer_for(params["method"], connection_id, body if isinstance(body, bytes) else body.encode())
        if answer is None:
            return None
        headers = {"content-type": "application/json"}
        if answer.error_type:
            headers["x-amzn-errortype"] = answer.error_type
        text = json.dumps(answer.body) if answer.body is not None else ""
        http = AWSResponse(url, answer.status, headers, MockRawResponse(text))  # type: ignore[arg-type]
        response = convert_to_response_dict(http, model)
        parsed = parser.parse(response, model.output_shape)
        parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
        return http, parsed

    BUILTIN_HANDLERS.append(("before-call.apigatewaymanagementapi", direct))
