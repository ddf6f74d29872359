"""Calls the real function handlers the way Lambda does: one cached module per function, a context per call,
and Lambda's limits on a synchronous invocation (payload sizes, the function's timeout).

Lambda refuses an event over 6 MB before running anything (RequestEntityTooLargeException), fails an invocation
whose result is over its response limit, and stops a function at its configured timeout. The local stack does
the same; a handler past its timeout cannot be killed inside one process, so its thread runs on, unobserved,
while the caller sees the timeout (Lambda would freeze and recycle the environment).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextvars
import importlib
import json
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar

from pydantic import Field

from local.environments import ExecutionEnvironments
from local.events import LambdaContext
from shared import resources
from shared.observability import function_service
from shared.tools.env_settings import EnvSettings

Handler = Callable[[dict[str, Any], Any], Any]

_lock = threading.Lock()
_handlers: dict[str, Handler] = {}
# Handlers run here, not in the caller's thread, so that the caller can stop waiting at the timeout. Environments
# are plentiful because a timed-out handler keeps its own until it returns.
_environments = ExecutionEnvironments("lambda", max_environments=64)


class LambdaLimits(EnvSettings):
    """Lambda's synchronous invocation quotas, AWS's by default; tests lower them (LB_LAMBDA_...)."""

    env_prefix: ClassVar[str] = "LB_LAMBDA_"

    # Lambda's 6 MB is 6 * 1024 * 1024 bytes for the event, 100 bytes more for the response (measured: the
    # errors name 6291456 and 6291556).
    request_max_bytes: int = Field(default=6_291_456, gt=0)
    response_max_bytes: int = Field(default=6_291_556, gt=0)
    # Unset, each function stops at its own timeout from shared/resources.py, as CDK configures it.
    function_timeout_s: float | None = Field(default=None, gt=0)


class InvocationError(Exception):
    """An invocation Lambda itself failed: the function's code never answered normally."""


class RequestTooLargeError(InvocationError):
    """The event is over Lambda's request payload limit (RequestEntityTooLargeException); nothing ran."""


class ResponseTooLargeError(InvocationError):
    """The function's result is over Lambda's response payload limit; the invocation failed."""


class FunctionTimeoutError(InvocationError):
    """The function ran past its configured timeout ("Task timed out after N seconds")."""


class CallerTimeoutError(InvocationError):
    """The caller's own deadline (API Gateway's integration timeout) passed before the function answered."""


@cache
def default_limits() -> LambdaLimits:
    """The limits from the environment, read once per cold start of the local stack."""
    return LambdaLimits()


def _as_text(value: Any) -> Any:
    return base64.b64encode(value).decode() if isinstance(value, bytes) else str(value)


# ASCII only (ensure_ascii, the default), so the text's length is its size in bytes; built once, not per call
_PAYLOAD_JSON = json.JSONEncoder(separators=(",", ":"), default=_as_text)


def payload_size(payload: Any) -> int:
    """Bytes of a payload as Lambda counts them: its JSON serialization (bytes values count as base64)."""
    return len(_PAYLOAD_JSON.encode(payload))


def handler_for(name: str) -> Handler:
    """Import a function's handler once, like a Lambda cold start."""
    with _lock:
        if name not in _handlers:
            module = importlib.import_module(resources.function(name).module)
            _handlers[name] = module.handler
        return _handlers[name]


def _context_for(name: str, limits: LambdaLimits) -> LambdaContext:
    fn = resources.function(name)
    return LambdaContext(function_name=f"{resources.APP_PREFIX}-{name}", memory_limit_in_mb=fn.memory_mb,
                         timeout_s=limits.function_timeout_s or fn.timeout_s)


def _as_function(name: str) -> Handler:
    def as_function(event: dict[str, Any], context: Any) -> Any:
        with function_service(name):  # as CDK sets each function's own POWERTOOLS_SERVICE_NAME
            return handler_for(name)(event, context)

    return as_function


def invoke(name: str, event: dict[str, Any], *, limits: LambdaLimits | None = None,
           caller_timeout_s: float | None = None) -> Any:
    """Invoke a function synchronously with a fresh Lambda context, within Lambda's limits.

    Raises an InvocationError subclass where Lambda would fail the invocation; `caller_timeout_s` is how long
    the caller waits (API Gateway's integration timeout), when shorter than the function's own timeout.
    """
    limits = limits or default_limits()
    return run_handler(_as_function(name), event, _context_for(name, limits), limits=limits,
                       caller_timeout_s=caller_timeout_s)


async def invoke_async(name: str, event: dict[str, Any], *, limits: LambdaLimits | None = None,
                       caller_timeout_s: float | None = None) -> Any:
    """`invoke` awaited from an event loop: the handler runs on a worker thread, and the loop awaits it
    without a thread of its own in between (the gateway's one hand-off a request, as Lambda's one call)."""
    limits = limits or default_limits()
    context = _context_for(name, limits)
    future = _submit(_as_function(name), event, context, limits)
    wait_s = _wait_s(context, caller_timeout_s)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), wait_s)
    except TimeoutError:
        raise _timed_out(context, caller_timeout_s) from None


def _within_limits(handler: Handler, event: dict[str, Any], context: LambdaContext, limits: LambdaLimits) -> Any:
    """One call as Lambda makes it: the event refused before anything runs, the result refused after."""
    if payload_size(event) > limits.request_max_bytes:
        raise RequestTooLargeError(f"Request must be smaller than {limits.request_max_bytes} bytes for the "
                                   "InvokeFunction operation")
    result = handler(event, context)
    if payload_size(result) > limits.response_max_bytes:
        raise ResponseTooLargeError(f"Response payload size exceeded maximum allowed payload size "
                                    f"({limits.response_max_bytes} bytes).")
    return result


def _submit(handler: Handler, event: dict[str, Any], context: LambdaContext,
            limits: LambdaLimits) -> concurrent.futures.Future[Any]:
    # The caller's context (contextvars) travels with the call, as it does into an ordinary function call.
    return _environments.submit(contextvars.copy_context().run, _within_limits, handler, event, context, limits)


def _wait_s(context: LambdaContext, caller_timeout_s: float | None) -> float:
    return context.timeout_s if caller_timeout_s is None else min(context.timeout_s, caller_timeout_s)


def _timed_out(context: LambdaContext, caller_timeout_s: float | None) -> InvocationError:
    if caller_timeout_s is not None and caller_timeout_s < context.timeout_s:
        return CallerTimeoutError(f"no answer within {caller_timeout_s} s")
    return FunctionTimeoutError(f"Task timed out after {context.timeout_s:.2f} seconds")


def run_handler(handler: Handler, event: dict[str, Any], context: LambdaContext, *, limits: LambdaLimits,
                caller_timeout_s: float | None = None) -> Any:
    """What Lambda does around one handler call: the payload limits both ways and the context's timeout."""
    future = _submit(handler, event, context, limits)
    try:
        return future.result(timeout=_wait_s(context, caller_timeout_s))
    except concurrent.futures.TimeoutError:
        raise _timed_out(context, caller_timeout_s) from None


def forget_handlers() -> None:
    """Drop the imported handlers, so the next invocation of each function is a cold start (for test suites)."""
    with _lock:
        _handlers.clear()
        default_limits.cache_clear()
