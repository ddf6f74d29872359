"""The client's one error: PocketBase's error shape (status, message, data), status 0 for a transport failure."""

from __future__ import annotations

from typing import Any


class RealtimeError(Exception):
    """A refused request (`status` and `data` as the server answered) or a lost connection (`status` 0)."""

    def __init__(self, status: int, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.data = data or {}

    @property
    def response(self) -> dict[str, Any]:
        """The error as PocketBase's body: `{"status", "message", "data"}`."""
        return {"status": self.status, "message": self.message, "data": self.data}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> RealtimeError:
        data = message.get("data")
        return cls(int(message.get("status") or 400), str(message.get("message") or "Something went wrong."),
                   data if isinstance(data, dict) else {})
