"""The settings API's store and its request bodies."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from shared.app_settings.provider import default_source
from shared.app_settings.source import StoredSettingsSource
from shared.errors import BadRequestError
from shared.http.body import read_body


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
