"""Posting to WebSocket connections through API Gateway's @connections management API.

`post` sends bytes already serialised (the fan-out writes one event's data once for many connections) and says
why a post failed by the exception it raises: gone (410, the connection is closed), throttled (API Gateway's
LimitExceededException / TooManyRequestsException, worth retrying after a pause), too large (over 128 KB,
never worth retrying), or any other delivery error (a 5xx, a network fault: retried too).
"""

from __future__ import annotations

import contextlib
import json
import threading
from abc import ABC, abstractmethod
from typing import Any

from shared.aws import client

# The error codes API Gateway's management API answers when a caller posts faster than its quota.
THROTTLING_CODES = frozenset({"LimitExceededException", "TooManyRequestsException", "ThrottlingException"})


class DeliveryError(Exception):
    """A post failed for a reason that may pass: worth retrying later."""


class ConnectionGoneError(DeliveryError):
    """The connection is closed; API Gateway answered 410."""


class ThrottledError(DeliveryError):
    """API Gateway refused the post for its rate quota; retry after a backoff."""


class MessageTooLargeError(DeliveryError):
    """The message is over API Gateway's 128 KB: no retry makes it fit."""


class MessageSender(ABC):
    @abstractmethod
    def send(self, connection_id: str, message: dict[str, Any]) -> None: ...

    def post(self, connection_id: str, data: bytes) -> None:
        """Send an already serialised message; raises a DeliveryError subclass when it was not delivered."""
        self.send(connection_id, json.loads(data))

    def disconnect(self, connection_id: str) -> None:
        """Close a connection from the server side (best effort), so that its client reconnects."""
        return None  # a sender without a server side (tests, a bridge) has nothing to close


class ApiGatewaySender(MessageSender):
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        self.post(connection_id, json.dumps(message).encode())

    def post(self, connection_id: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        api = client("apigatewaymanagementapi", self.endpoint_url)
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=data)
        except api.exceptions.GoneException as exc:
            raise ConnectionGoneError(connection_id) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in THROTTLING_CODES or status == 429:
                raise ThrottledError(connection_id) from exc
            if code == "PayloadTooLargeException" or status == 413:
                raise MessageTooLargeError(connection_id) from exc
            raise DeliveryError(f"{connection_id}: {code or status}") from exc
        except BotoCoreError as exc:
            raise DeliveryError(f"{connection_id}: {exc}") from exc

    def disconnect(self, connection_id: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        # Already gone, or unreachable: the store forgets it either way.
        with contextlib.suppress(BotoCoreError, ClientError):
            client("apigatewaymanagementapi", self.endpoint_url).delete_connection(ConnectionId=connection_id)


class InMemorySender(MessageSender):
    """A fake for tests: records what was sent; `gone` connections answer 410, and `throttled` / `failing`
    connections refuse that many posts (ThrottledError / DeliveryError) before accepting."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()
        self.throttled: dict[str, int] = {}
        self.failing: dict[str, int] = {}
        self.attempts = 0
        self.disconnected: list[str] = []
        self._lock = threading.Lock()  # the fan-out posts from several threads

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        with self._lock:
            self.attempts += 1
            if connection_id in self.gone:
                raise ConnectionGoneError(connection_id)
            for refusals, error in ((self.throttled, ThrottledError), (self.failing, DeliveryError)):
                if refusals.get(connection_id, 0) > 0:
                    refusals[connection_id] -= 1
                    raise error(connection_id)
            self.sent.append((connection_id, message))

    def disconnect(self, connection_id: str) -> None:
        self.disconnected.append(connection_id)

    def to(self, connection_id: str) -> list[dict[str, Any]]:
        """The messages one connection received, in order."""
        return [message for cid, message in self.sent if cid == connection_id]


def management_endpoint(configured: str | None, domain_name: str, stage: str) -> str:
    """The @connections endpoint: configured locally, derived from the WebSocket event on AWS."""
    return configured or f"https://{domain_name}/{stage}"
