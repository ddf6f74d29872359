"""How every endpoint is called on Lambda: inline on the invocation's loop, its path parameters handed over as is.

- Inline: FastAPI runs a `def` endpoint in a worker thread so that it cannot block other requests on the loop.
  A Lambda instance serves one invocation at a time, and anyio starts a new worker thread for every invocation
  (its threads belong to the root task, which Mangum makes anew each time): about 1 ms of CPU for nothing. The
  local stack keeps the same shape: it calls each handler in a thread of its own, with that thread's loop.
- Path parameters: an endpoint of a `LeanRouter` that takes only the request and `str` path parameters (a path
  segment is always a string, so there is nothing to validate) is called with `request.path_params`. FastAPI
  then builds no pydantic field per parameter at import, and never imports `pydantic.v1` for its compatibility
  check of them. It has to happen as the route is declared: FastAPI analyses an endpoint when it is added to its
  router, and again when that router is included in the app.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, get_type_hints

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.routing import compile_path

# Marks an endpoint already made lean: a module's router may be included in many apps (tests build several).
_LEAN = "__lambdabase_lean__"


def inline(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` as a coroutine function that calls it directly; FastAPI reads the original's signature."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs)

    setattr(run_inline, _LEAN, True)
    return run_inline


def _path_only_arguments(endpoint: Callable[..., Any], route_path: str) -> tuple[list[str], list[str]] | None:
    """(path parameter names, request parameter names) of an endpoint that takes nothing else, else None."""
    in_path = compile_path(route_path)[2]
    try:
        hints = get_type_hints(endpoint)
    except Exception:  # an annotation that does not resolve here: leave the endpoint to FastAPI
        return None
    returns = hints.get("return")
    if not (inspect.isclass(returns) and issubclass(returns, Response)):
        return None  # a response model: FastAPI's serialization stays
    path: list[str] = []
    requests: list[str] = []
    for name, param in inspect.signature(endpoint).parameters.items():
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY) or param.default is not param.empty:
            return None
        if hints.get(name) is Request:
            requests.append(name)
        elif hints.get(name) is str and name in in_path:
            path.append(name)
        else:
            return None
    return path, requests


def _bound_to_path(endpoint: Callable[..., Any], path: list[str], requests: list[str]) -> Callable[..., Any]:
    is_async = inspect.iscoroutinefunction(endpoint)

    async def call(request: Request) -> Any:
        arguments: dict[str, Any] = {name: request.path_params[name] for name in path}
        arguments.update((name, request) for name in requests)
        result = endpoint(**arguments)
        return await result if is_async else result

    # No __wrapped__: FastAPI must read this signature (the request only), not the endpoint's.
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(call, attribute, getattr(endpoint, attribute))
    call.__annotations__ = {"request": Request, "return": get_type_hints(endpoint)["return"]}
    setattr(call, _LEAN, True)
    return call


def lean(endpoint: Callable[..., Any], path: str) -> Callable[..., Any]:
    """The endpoint of route `path` bound to its path parameters where it takes nothing else, and inline."""
    if getattr(endpoint, _LEAN, False):
        return endpoint
    arguments = _path_only_arguments(endpoint, path)
    return inline(endpoint) if arguments is None else _bound_to_path(endpoint, *arguments)


class LeanRouter(APIRouter):
    """An APIRouter whose endpoints are made lean as they are declared, before FastAPI analyses them."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, lean(endpoint, path), **kwargs)


def inline_endpoints(router: APIRouter) -> APIRouter:
    """Make every sync endpoint of any router run inline; create_app calls it before including a router."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.endpoint = inline(route.endpoint)
    return router
