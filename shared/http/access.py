"""PocketBase's `RequireSuperuserAuth`, shared by every superuser-only API (collections, settings, logs, crons)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from shared.errors import ForbiddenError, UnauthorizedError
from shared.http.app import verified_caller


def require_superuser(request: Request) -> Any:
    """The superuser calling, or 401 for a guest and PocketBase's generic 403 for any other auth record."""
    caller = verified_caller(request)
    if caller is None:
        raise UnauthorizedError()
    if not caller.is_superuser:
        raise ForbiddenError()
    # a superuser's API token reaches these APIs only when scoped to everything (`*:*`; read-only: GET alone)
    if caller.grant is not None and not caller.grant.allows_admin(request.method):
        raise ForbiddenError()
    return caller
