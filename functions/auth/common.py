"""What every auth route needs: the records scope of this request, the caller and the account components."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shared.accounts.auth_records import (
    auth_collection,
    path_collection,
    require_auth,
    require_superuser,
    superuser_auth_collection,
)
from shared.catalog.repository import StoredCollection
from shared.composition import composition
from shared.errors import ForbiddenError
from shared.records.scope import RecordScope

API_TOKEN_REFUSED = "API tokens cannot be used with the auth endpoints."


def record_service(request: Request, body: dict[str, Any] | None = None, *, signed_in: bool = True,
                   context: str = "default") -> RecordScope:
    """The records scope of this request; `signed_in=False` ignores any Authorization (sign-in endpoints)."""
    service = composition().scope(request, body, signed_in=signed_in, context=context)
    # an API token never manages accounts (refresh, impersonation, sessions, other tokens): it would escape its scopes
    if service.request.auth is not None and service.request.auth.grant is not None:
        raise ForbiddenError(API_TOKEN_REFUSED)
    return service


def collection_of(service: RecordScope, collection: str) -> StoredCollection:
    return auth_collection(service, collection)


def own_collection_of(service: RecordScope, collection: str) -> StoredCollection:
    """For endpoints of the caller's own collection: any collection of the path, then the caller's (401/403), so
    a base collection answers as PocketBase's middlewares do, before any type check."""
    stored = path_collection(service, collection)
    require_auth(service.request.auth, stored)
    return stored  # the caller's own collection, so an auth collection


def superuser_collection_of(service: RecordScope, collection: str) -> StoredCollection:
    """For superuser-only endpoints: the caller first (401/403), then the auth collection."""
    require_superuser(service.request.auth)
    return superuser_auth_collection(service, collection)


def params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def no_content() -> Response:
    return Response(status_code=204)
