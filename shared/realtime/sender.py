"""Posting to WebSocket connections through API Gateway's @connections management API."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any

from shared.aws import client


class ConnectionGoneError(Exception):
    """The connection is closed; API Gateway answered 410."""


class MessageSender(ABC):
    @abstractmethod
    def send(self, connection_id: str, message: dict[str, Any]) -> None: ...


class ApiGatewaySender(MessageSender):
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        api = client("apigatewaymanagementapi", self.endpoint_url)
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=json.dumps(message).encode())
        except api.exceptions.GoneException as exc:
            raise ConnectionGoneError(connection_id) from exc


class InMemorySender(MessageSender):
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        if connection_id in self.gone:
            raise ConnectionGoneError(connection_id)
        self.sent.append((connection_id, message))


def management_endpoint(configured: str | None, domain_name: str, stage: str) -> str:
    """The @connections endpoint: configured locally, derived from the WebSocket event on AWS."""
    return configured or f"https://{domain_name}/{stage}"
