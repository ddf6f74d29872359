"""Request bodies as PocketBase accepts them: JSON, or multipart/urlencoded forms with `@jsonPayload`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from shared.errors import BadRequestError
from shared.http.app import INVALID_BODY

JSON_PAYLOAD_KEY = "@jsonPayload"


async def read_body(request: Request) -> dict[str, Any]:
    """The submitted data as a dict; repeated form keys become lists, files are kept as UploadFile."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        data: dict[str, Any] = {}
        for key in form:
            values = form.getlist(key)
            if key == JSON_PAYLOAD_KEY:
                for raw in values:
                    try:
                        payload = json.loads(str(raw))
                    except ValueError as exc:
                        raise BadRequestError(INVALID_BODY) from exc
                    if isinstance(payload, dict):
                        data.update(payload)
                continue
            data[key] = values if len(values) > 1 else values[0]
        return data
    body: Any = getattr(request.state, "json_body", None)
    if body is None:
        payload = await request.body()
        if not payload.strip():
            return {}
        try:
            body = json.loads(payload)
        except ValueError as exc:
            raise BadRequestError(INVALID_BODY) from exc
    if not isinstance(body, dict):
        raise BadRequestError(INVALID_BODY)
    return body
