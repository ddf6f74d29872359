"""Files of a multipart `/api/batch`: parts named `requests.N.field` (or `requests[N].field`) join request N's body.

As PocketBase: the other fields travel in `@jsonPayload`; a plain `field` keeps the names its JSON body gives,
then the files (to append with `field+`, name the part `requests.N.field+`).
"""

from __future__ import annotations

import re
from typing import Any

from shared.files.uploaded import UploadedFile, uploads_in

_PART_KEY = re.compile(r"^requests(?:\.(\d+)\.|\[(\d+)\]\.)(.+)$")


def batch_requests(body: dict[str, Any]) -> Any:
    """The batch's `requests`, with the body's file parts moved into the request each one names."""
    requests = body.get("requests")
    if not isinstance(requests, list):
        return requests
    for key, value in body.items():
        found = _PART_KEY.match(key)
        files = uploads_in(value) if found else []
        if not found or not files:
            continue
        index = int(found.group(1) or found.group(2))
        if index >= len(requests) or not isinstance(requests[index], dict):
            continue
        request = requests[index]
        sub_body = request.get("body")
        if not isinstance(sub_body, dict):
            sub_body = request["body"] = {}
        sub_body[found.group(3)] = _merged(found.group(3), sub_body.get(found.group(3)), files)
    return requests


def _merged(field_key: str, submitted: Any, files: list[UploadedFile]) -> list[Any]:
    if submitted is None or field_key.startswith("+") or field_key.endswith(("+", "-")):
        return list(files)
    names = submitted if isinstance(submitted, list) else [submitted]
    return [*names, *files]
