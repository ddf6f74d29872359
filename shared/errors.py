"""Domain errors, each carrying PocketBase's error shape {status, message, data}."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the client as PocketBase's {status, message, data}."""

    status = 400
    default_message = "Something went wrong while processing your request."

    def __init__(self, message: str | None = None, data: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.data = data or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "data": self.data}


class BadRequestError(ApiError):
    status = 400
    default_message = "Something went wrong while processing your request."


class UnauthorizedError(ApiError):
    status = 401
    default_message = "The request requires valid record authorization token."


class ForbiddenError(ApiError):
    status = 403
    default_message = "The authorized record is not allowed to perform this action."


class NotFoundError(ApiError):
    status = 404
    default_message = "The requested resource wasn't found."


class PreconditionFailedError(ApiError):
    status = 412
    default_message = "The resource was modified since it was read."


class TooManyRequestsError(ApiError):
    status = 429
    default_message = "Too Many Requests."


class ServiceUnavailableError(ApiError):
    status = 503
    default_message = "The service is busy right now; try again in a moment."


class InternalError(ApiError):
    status = 500
    default_message = "Something went wrong while processing your request."


def field_error(code: str, message: str) -> dict[str, str]:
    """One entry of a validation error's data map, as PocketBase writes it."""
    return {"code": code, "message": message}
