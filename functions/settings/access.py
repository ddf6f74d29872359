"""Who may use the settings API, and the store it reads and writes."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from shared.app_settings.provider import default_source
from shared.app_settings.source import StoredSettingsSource
from shared.composition import composition
from shared.errors import BadRequestError, ForbiddenError, UnauthorizedError
from shared.http.body import read_body


def require_superuser(request: Request) -> None:
    """PocketBase's RequireSuperuserAuth: 401 for a guest, 403 for any other auth record."""
    caller = composition().caller(request)
    if caller is None:
        raise UnauthorizedError()
    if not caller.is_superuser:
        raise ForbiddenError()


def settings_store() -> StoredSettingsSource:
    """The settings item, read fresh (not through this instance's cache): the API shows what is stored."""
    return default_source()


async def form_body(request: Request, unreadable_message: str) -> Any:
    """The JSON body; one that is not an object answers the endpoint's PocketBase message."""
    try:
        return await read_body(request)
    except BadRequestError as exc:
        if (await request.body()).strip() == b"null":
            return {}  # Go unmarshals a JSON null body as no data
        raise BadRequestError(unreadable_message, {}) from exc
