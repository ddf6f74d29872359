"""Sync endpoints run inline on the event loop: a Lambda instance serves one invocation at a time.

FastAPI runs a `def` endpoint in a worker thread so that it cannot block other requests on the loop. On Lambda
there are none: Mangum runs each invocation to completion on the function's loop, and anyio starts a new worker
thread for every invocation (its threads belong to the root task, which is new each time), about 1 ms of CPU.
The local stack keeps the same shape: it calls each handler in a thread of its own, with that thread's loop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute


def inline(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` as a coroutine function that calls it directly; FastAPI reads the original's signature."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs)

    return run_inline


def inline_endpoints(router: APIRouter) -> APIRouter:
    """Make every sync endpoint of `router` run inline; call before the router is included in an app."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.endpoint = inline(route.endpoint)
    return router
