"""The one observability module: Powertools Logger, Metrics and (when tracing is on) Tracer, and the decorator.

Every function logs, measures and traces as its own service, named by its POWERTOOLS_SERVICE_NAME: CDK sets it
per function. The local stack runs every function in one process, so it names the service per invocation
with `function_service` instead, which wins over the environment.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from pydantic import Field

from shared import settings
from shared.resource_defs import METRICS_NAMESPACE
from shared.tools.env_settings import EnvSettings

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

__all__ = ["MetricUnit", "function_service", "get_tracer", "instrument", "invocation_keys", "logger", "metrics",
           "record_request", "service_name"]

SERVICE_DIMENSION = "service"

_service: ContextVar[str | None] = ContextVar("lambdabase_service", default=None)

# Outside an invocation (the local stack's own threads, scripts) logs carry the process's service.
logger = Logger(service=settings.load(settings.Observability).service_name)
_invocation_metrics: ContextVar[EphemeralMetrics | None] = ContextVar("lambdabase_metrics", default=None)


class InvocationMetrics:
    """Business metrics of the current invocation: a metric set per invocation, flushed when it ends.

    Powertools' `Metrics` keeps one metric set per process (class-level), which on Lambda is one invocation at a
    time; the local stack runs many functions' invocations at once in one process, where a shared set would mix
    their metrics and service dimensions, and one flush would empty the set another is about to flush.
    """

    def add_metric(self, name: str, unit: MetricUnit | str, value: float) -> None:
        current = _invocation_metrics.get()
        if current is None:  # outside an invocation (a script, the local stack's own threads): not published
            return
        current.add_metric(name=name, unit=unit, value=value)


metrics = InvocationMetrics()
# Powertools prints a metric document and its newline in two writes: concurrent flushes in one process (the
# local stack) would interleave them into lines that are not JSON.
_flush_lock = threading.Lock()


def flush(metric_set: EphemeralMetrics) -> None:
    """Publish a metric set (an EMF line on stdout), one document a line."""
    with _flush_lock:
        metric_set.flush_metrics(raise_on_empty_metrics=False)

# A request that records no business metric is normal, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")

Handler = Callable[[dict[str, Any], Any], Any]


class _Tracing(EnvSettings):
    """Whether X-Ray tracing can work here: Powertools' own rule, outside Lambda or when disabled it cannot."""

    env_prefix: ClassVar[str] = ""

    disabled: bool = Field(False, validation_alias="POWERTOOLS_TRACE_DISABLED")
    lambda_function_name: str | None = Field(None, validation_alias="AWS_LAMBDA_FUNCTION_NAME")
    sam_local: bool = Field(False, validation_alias="AWS_SAM_LOCAL")

    @property
    def enabled(self) -> bool:
        return not self.disabled and bool(self.lambda_function_name) and not self.sam_local


@contextmanager
def function_service(name: str) -> Iterator[None]:
    """Run what follows as function `name`'s service, the local stack's stand-in for its POWERTOOLS_SERVICE_NAME."""
    token = _service.set(name)
    try:
        yield
    finally:
        _service.reset(token)


def service_name() -> str:
    """The service the current invocation logs, measures and traces as."""
    return _service.get() or settings.load(settings.Observability).service_name


@cache
def get_tracer() -> Tracer | None:
    """The Tracer, created on first use and only when tracing is on: it imports the X-Ray SDK (about a second)."""
    if not settings.load(_Tracing).enabled:
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=service_name())


_started: set[str] = set()


def invocation_keys(service: str, event: Any, context: Any, correlation_id_path: str | None) -> dict[str, Any]:
    """What an invocation's log lines carry: its service, Lambda context and correlation id; cold_start is per
    service, as each function has its own execution environments."""
    cold_start = service not in _started
    _started.add(service)
    keys: dict[str, Any] = {
        "service": service, "cold_start": cold_start,
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_request_id": getattr(context, "aws_request_id", None),
    }
    if correlation_id_path:
        from aws_lambda_powertools.utilities.jmespath_utils import query

        keys["correlation_id"] = query(envelope=correlation_id_path, data=event)
    return keys


def instrument(handler: Handler, *, correlation_id_path: str | None = None) -> Handler:
    """Wrap a Lambda entry point with structured logging, a correlation id, tracing and metrics."""

    @functools.wraps(handler)
    def as_service(event: dict[str, Any], context: Any) -> Any:
        service = service_name()
        # Context-local keys (a ContextVar, which worker threads and tasks inherit), set inside
        # inject_lambda_context: the local stack serves several functions, and several invocations, at once
        # from one Logger, whose own keys (set by inject_lambda_context) the last invocation to start overwrites.
        keys = invocation_keys(service, event, context, correlation_id_path)
        logger.thread_safe_append_keys(**keys)
        own = EphemeralMetrics(namespace=METRICS_NAMESPACE)
        own.add_dimension(name=SERVICE_DIMENSION, value=service)
        token = _invocation_metrics.set(own)
        try:
            return handler(event, context)
        finally:
            _invocation_metrics.reset(token)
            flush(own)
            logger.thread_safe_remove_keys(list(keys))

    wrapped: Handler = as_service
    tracer = get_tracer()
    if tracer is not None:
        wrapped = tracer.capture_lambda_handler(wrapped, capture_response=False)
    return logger.inject_lambda_context(wrapped, correlation_id_path=correlation_id_path, clear_state=True)


def status_class(status: int) -> str:
    """`2xx`, `4xx`, `5xx`...: the status dimension, coarse so that it stays a handful of values."""
    return f"{status // 100}xx"


def record_request(route: str, status: int, latency_ms: float) -> None:
    """Emit one HTTP request's `Requests` count and `Latency`, by service, route and status class.

    A metric set of its own (not the shared `metrics`): route and status dimensions would otherwise attach to
    every business metric of the invocation, and concurrent requests in the local stack would share them.
    """
    request = EphemeralMetrics(namespace=METRICS_NAMESPACE)
    for name, value in ((SERVICE_DIMENSION, service_name()), ("route", route), ("status", status_class(status))):
        request.add_dimension(name=name, value=value)
    request.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    request.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
    flush(request)
