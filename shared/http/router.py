"""An HTTP function's routes: a path, its methods, and an endpoint called with its path parameters and the request.

Every endpoint of this project takes the request and the `str` path parameters it names, and returns a Starlette
response (or a JSON value). FastAPI's parameter injection, validation and OpenAPI models were never used, and
importing FastAPI alone cost as much as the whole hello function of the cold-start goal (docs/architecture.md,
"Web framework"). So a route is a plain Starlette `Route` whose endpoint is a coroutine calling ours inline: a `def`
endpoint is not sent to a worker thread, since a Lambda instance serves one invocation at a time and anyio would
start a new thread for each invocation (Mangum makes a new root task per event), about 1 ms of CPU for nothing.

Example:

    router = Router()

    @router.get("/api/collections/{collection}/records/{record_id}")
    def view_record(collection: str, record_id: str, request: Request) -> Response: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, compile_path

Endpoint = Callable[..., Any]
# Runs before every matched endpoint, in order (PocketBase's query limits, the body check): app-wide guards that a
# request no route takes never reaches.
Guard = Callable[[Request], Awaitable[None]]


class EndpointRoute(msgspec.Struct, frozen=True):
    """One declared route: where, which methods, and the endpoint with the names of its path parameters."""

    path: str
    methods: tuple[str, ...]
    endpoint: Endpoint
    path_params: tuple[str, ...]
    request_params: tuple[str, ...]

    def to_starlette(self, guards: Iterable[Guard] = ()) -> Route:
        """This route as Starlette serves it, the guards run before the endpoint."""
        endpoint, path_params, request_params = self.endpoint, self.path_params, self.request_params
        is_async, checks = inspect.iscoroutinefunction(endpoint), tuple(guards)

        async def call(request: Request) -> Response:
            for check in checks:
                await check(request)
            arguments: dict[str, Any] = {name: request.path_params[name] for name in path_params}
            arguments.update((name, request) for name in request_params)
            result = endpoint(**arguments)
            if is_async:
                result = await result
            # An endpoint answers a Response, or a JSON value answered as 200 (as FastAPI and Starlette do).
            return result if isinstance(result, Response) else JSONResponse(result)

        call.__name__ = call.__qualname__ = endpoint.__name__
        route = Route(self.path, call, methods=list(self.methods), name=endpoint.__name__)
        # Starlette answers HEAD on every GET route; only the routes that declare HEAD take it (405, answered 404,
        # on the others, as before).
        route.methods = set(self.methods)
        return route


def _parameters(endpoint: Endpoint, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(path parameter names, request parameter names) of an endpoint; anything else is a declaration error."""
    in_path = compile_path(path)[2]
    path_params: list[str] = []
    request_params: list[str] = []
    for name, param in inspect.signature(endpoint).parameters.items():
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY) or param.default is not param.empty:
            raise TypeError(f"{endpoint.__qualname__}: {name} must be a plain parameter")
        if name in in_path:
            path_params.append(name)
        elif param.annotation in (Request, "Request"):
            request_params.append(name)
        else:
            raise TypeError(f"{endpoint.__qualname__}: {name} is neither a path parameter of {path} nor the request")
    return tuple(path_params), tuple(request_params)


class Router:
    """The routes of one endpoint module, declared with `get`, `post`, ... as FastAPI's and Starlette's are."""

    def __init__(self) -> None:
        self.routes: list[EndpointRoute] = []

    def api_route(self, path: str, methods: Iterable[str]) -> Callable[[Endpoint], Endpoint]:
        """Declare `path` for `methods` (HEAD only where listed)."""
        verbs = tuple(method.upper() for method in methods)

        def declare(endpoint: Endpoint) -> Endpoint:
            self.routes.append(EndpointRoute(path, verbs, endpoint, *_parameters(endpoint, path)))
            return endpoint

        return declare

    def get(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self.api_route(path, ("GET",))

    def post(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self.api_route(path, ("POST",))

    def put(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self.api_route(path, ("PUT",))

    def patch(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self.api_route(path, ("PATCH",))

    def delete(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self.api_route(path, ("DELETE",))
