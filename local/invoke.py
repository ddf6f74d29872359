"""Calls the real function handlers the way Lambda does: one cached module per function, a context per call."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from local.events import LambdaContext
from shared import resources
from shared.observability import function_service

_lock = threading.Lock()
_handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {}


def handler_for(name: str) -> Callable[[dict[str, Any], Any], Any]:
    """Import a function's handler once, like a Lambda cold start."""
    with _lock:
        if name not in _handlers:
            module = importlib.import_module(resources.function(name).module)
            _handlers[name] = module.handler
        return _handlers[name]


def invoke(name: str, event: dict[str, Any]) -> Any:
    """Invoke a function synchronously with a fresh Lambda context."""
    fn = resources.function(name)
    context = LambdaContext(function_name=f"{resources.APP_PREFIX}-{name}", memory_limit_in_mb=fn.memory_mb,
                            timeout_s=fn.timeout_s)
    with function_service(name):  # as CDK sets each function's own POWERTOOLS_SERVICE_NAME
        return handler_for(name)(event, context)


def forget_handlers() -> None:
    """Drop the imported handlers, so the next invocation of each function is a cold start (for test suites)."""
    with _lock:
        _handlers.clear()
