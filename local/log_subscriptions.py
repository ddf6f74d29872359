"""CloudWatch Logs subscription filters on the local stack: the request log lines each HTTP function prints are
delivered in batches, in CloudWatch Logs' event shape, to the function the subscription names.

On Lambda a function's stdout goes to its log group, and a subscription filter there sends the lines matching
its pattern, gzipped and base64-encoded as `{"awslogs": {"data": ...}}`, to its destination function, invoked
asynchronously (retried twice, then sent to the on-failure destination). Here the lines are taken from the
request log's logger (shared/logs/emitter.py) where Lambda would take stdout, tagged with the function that
printed them (the invocation's service), matched against the declared pattern, batched per log group for
`DELIVERY_WINDOW_S`, and handed to the same destination handler; a batch that still fails after the
declared retries goes to the failure queue as Lambda's on-failure record. moto's CloudWatch Logs is not
involved: it cannot deliver to a function that is no container, and keeping every line there would only grow.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.cloud import ACCOUNT_ID, REGION, queue_url
from shared import resources
from shared.aws import client
from shared.logs.emitter import LOGGER_NAME
from shared.observability import logger, service_name

Invoke = Callable[[str, dict[str, Any]], Any]

# CloudWatch Logs delivers to a subscription within about a second of ingestion; the local batches wait as long.
DELIVERY_WINDOW_S = 1.0
# What one delivery may carry: Lambda's asynchronous payload limit is 256 KB (the compressed, encoded data
# counts), and 1,000 lines of about 600 bytes compress far below it.
MAX_EVENTS_PER_DELIVERY = 1000
MAX_DELIVERY_BYTES = 256 * 1024
RETRY_DELAYS_S = (0.2, 0.5)  # Lambda retries a failed asynchronous invocation twice, after a minute and more
_FIELD_EQUALS = re.compile(r'^\{\s*\$\.(\w+)\s*=\s*"([^"]*)"\s*\}$')


def pattern_matcher(pattern: str) -> Callable[[str], bool]:
    """A matcher for a JSON filter pattern of the form `{ $.key = "value" }`, the one form declared.

    Other forms are refused at start rather than matched wrongly.
    """
    found = _FIELD_EQUALS.match(pattern.strip())
    if found is None:
        raise NotImplementedError(f"the local stack does not emulate the filter pattern {pattern!r}")
    key, value = found.groups()

    def matches(line: str) -> bool:
        try:
            parsed = json.loads(line)
        except ValueError:
            return False
        return isinstance(parsed, dict) and parsed.get(key) == value

    return matches


def awslogs_event(source_function: str, filter_name: str, lines: list[tuple[int, str]]) -> dict[str, Any]:
    """One delivery as CloudWatch Logs sends it to a subscribed function."""
    today = datetime.now(UTC).strftime("%Y/%m/%d")
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": ACCOUNT_ID,
        "logGroup": f"/aws/lambda/{resources.function(source_function).physical_name}",
        "logStream": f"{today}/[$LATEST]{secrets.token_hex(16)}",
        "subscriptionFilters": [filter_name],
        "logEvents": [{"id": "".join(str(secrets.randbelow(10)) for _ in range(56)), "timestamp": at,
                       "message": line} for at, line in lines],
    }
    data = base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()
    return {"awslogs": {"data": data}}


class _Capture(logging.Handler):
    """Takes each line off the request log's logger, with the function whose invocation printed it."""

    def __init__(self, sink: Callable[[str, int, str], None]) -> None:
        super().__init__(logging.INFO)
        self._sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self._sink(service_name(), int(record.created * 1000), record.getMessage())


class LogSubscriptions(threading.Thread):
    """Every declared subscription, delivered by one thread."""

    def __init__(self, invoke: Invoke, window_s: float = DELIVERY_WINDOW_S) -> None:
        super().__init__(daemon=True, name="log-subscriptions")
        self.invoke = invoke
        self.window_s = window_s
        self.subscriptions = {s.source_function: (s, pattern_matcher(s.filter_pattern))
                              for s in resources.log_subscriptions()}
        self._pending: dict[str, list[tuple[int, str]]] = {}
        self._first_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop_event = threading.Event()
        self.idle = threading.Event()
        self._handler = _Capture(self.accept)

    def install(self) -> None:
        """Take the request log lines from now on, instead of stdout (which Lambda would ship)."""
        request_log = logging.getLogger(LOGGER_NAME)
        request_log.handlers = [self._handler]
        request_log.setLevel(logging.INFO)
        request_log.propagate = False

    def accept(self, function: str, at_ms: int, line: str) -> None:
        found = self.subscriptions.get(function)
        if found is None or not found[1](line):
            return  # no subscription on that log group, or a line its pattern does not select
        with self._lock:
            self._pending.setdefault(function, []).append((at_ms, line))
            self._first_at.setdefault(function, time.monotonic())
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._wake.wait(self.window_s / 4)
            self._wake.clear()
            self.deliver_due(force=False)
        request_log = logging.getLogger(LOGGER_NAME)
        if self._handler in request_log.handlers:
            request_log.removeHandler(self._handler)  # lines printed after the stack stopped go to stdout again
        self.deliver_due(force=True)

    def deliver_due(self, *, force: bool) -> int:
        """Deliver every log group's lines whose window has passed (all of them with `force`)."""
        now = time.monotonic()
        with self._lock:
            due = [f for f, first in self._first_at.items()
                   if force or now - first >= self.window_s or len(self._pending[f]) >= MAX_EVENTS_PER_DELIVERY]
            batches = {f: self._pending.pop(f) for f in due}
            for function in due:
                del self._first_at[function]
            if not self._pending:
                self.idle.set()
        for function, lines in batches.items():
            for chunk in _chunks(lines):
                self._deliver(function, chunk)
        return len(batches)

    def _deliver(self, function: str, lines: list[tuple[int, str]]) -> None:
        subscription = self.subscriptions[function][0]
        event = awslogs_event(function, subscription.filter_name, lines)
        attempts = 1 + min(subscription.retry_attempts, len(RETRY_DELAYS_S))
        error: Exception | None = None
        for attempt in range(attempts):
            try:
                self.invoke(subscription.destination, event)
                return
            except Exception as exc:  # an asynchronous invocation's failure is retried, then kept
                error = exc
                if attempt + 1 < attempts:
                    time.sleep(RETRY_DELAYS_S[attempt])
        logger.error("log subscription delivery failed", extra={"function": subscription.destination,
                                                                "lines": len(lines), "error": str(error)})
        _send_to_failure_queue(subscription.destination, event, attempts, error)


def _chunks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Deliveries of at most MAX_EVENTS_PER_DELIVERY lines and about MAX_DELIVERY_BYTES of lines (before the
    compression that makes them far smaller)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    size = 0
    for line in lines:
        if chunks[-1] and (len(chunks[-1]) >= MAX_EVENTS_PER_DELIVERY or size + len(line[1]) > MAX_DELIVERY_BYTES * 4):
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line[1])
    return [c for c in chunks if c]


def _send_to_failure_queue(function: str, event: dict[str, Any], attempts: int, error: Exception | None) -> None:
    """Lambda's on-failure destination record of an asynchronous invocation whose retries were exhausted."""
    record = {
        "version": "1.0",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:"
                           f"{resources.function(function).physical_name}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__},
    }
    try:
        client("sqs").send_message(QueueUrl=queue_url(resources.LOG_FAILURES_QUEUE.physical_name),
                                   MessageBody=json.dumps(record))
    except Exception:
        logger.exception("could not keep a failed log delivery")


def start_log_subscriptions(invoke: Invoke) -> LogSubscriptions:
    """Capture the request log lines and start delivering them."""
    subscriptions = LogSubscriptions(invoke)
    subscriptions.install()
    subscriptions.start()
    return subscriptions
