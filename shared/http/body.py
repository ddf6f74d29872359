"""Request bodies as PocketBase accepts them: JSON, or multipart/urlencoded forms with `@jsonPayload`.

Every body is decoded once, by the strict decoder (shared.http.strict_json), in the `parse_body` dependency
that create_app puts on every route; `read_body` then hands endpoints the decoded dict.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from shared.errors import BadRequestError
from shared.files.uploaded import UploadedFile
from shared.http.strict_json import JSONRejectedError, decode_json

INVALID_BODY = "Failed to load the submitted data due to invalid formatting."
UNSUPPORTED_CONTENT_TYPE = "Unsupported Content-Type."
JSON_PAYLOAD_KEY = "@jsonPayload"

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_XML_TYPES = ("text/xml", "application/xml")
_BODY_METHODS = ("POST", "PUT", "PATCH")


def decode_body_json(raw: bytes | str) -> Any:
    """Strictly decode JSON from a request; a 400 in PocketBase's shape, naming the broken rule, otherwise."""
    try:
        return decode_json(raw)
    except JSONRejectedError as exc:
        raise BadRequestError(f"{INVALID_BODY} {exc}") from exc


async def parse_body(request: Request) -> None:
    """Reject a malformed JSON body or an unsupported Content-Type on any matched route, before the endpoint."""
    if request.method not in _BODY_METHODS:
        return
    content_type = request.headers.get("content-type", "").lower()
    raw = await request.body()
    if not raw:
        # PocketBase binds nothing from an empty body, whatever its Content-Type.
        return
    if content_type.startswith("application/json"):
        request.state.json_body = decode_body_json(raw) if raw.strip() else {}
        return
    if content_type.startswith(_FORM_TYPES):
        return
    if content_type.startswith(_XML_TYPES):
        # PocketBase tries XML, which never fits a record: its generic 400.
        raise BadRequestError()
    raise BadRequestError(UNSUPPORTED_CONTENT_TYPE)


async def read_body(request: Request) -> dict[str, Any]:
    """The submitted data as a dict; repeated form keys become lists, file parts become UploadedFile values."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        form = await request.form()
        data: dict[str, Any] = {}
        for key in form:
            values = form.getlist(key)
            if key == JSON_PAYLOAD_KEY:
                for raw in values:
                    payload = decode_body_json(str(raw))
                    if isinstance(payload, dict):
                        data.update(payload)
                continue
            texts: list[Any] = [value for value in values if not isinstance(value, UploadFile)]
            # as PocketBase merges a key's names and its uploads: the submitted names first, then the files
            files = [await _uploaded(value) for value in values if isinstance(value, UploadFile)]
            merged = texts + [f for f in files if f is not None]
            if merged or not files:
                data[key] = merged if len(merged) != 1 else merged[0]
        return data
    body: Any = getattr(request.state, "json_body", None)
    if body is None:
        payload = await request.body()
        body = decode_body_json(payload) if payload.strip() else {}
    if not isinstance(body, dict):
        raise BadRequestError(INVALID_BODY)
    return body


async def read_form_body(request: Request, unreadable_message: str) -> dict[str, Any]:
    """The submitted data of an admin form (collections, settings): an unreadable body answers that endpoint's
    own PocketBase message, and a JSON `null` counts as no data, as Go unmarshals it."""
    try:
        return await read_body(request)
    except BadRequestError as exc:
        if (await request.body()).strip() == b"null":
            return {}
        raise BadRequestError(unreadable_message, {}) from exc


async def _uploaded(part: UploadFile) -> UploadedFile | None:
    """A file part as an upload; an empty part is no file, as PocketBase skips it."""
    content = await part.read()
    if not content:
        return None
    return UploadedFile.from_upload(part.filename or "", content)
