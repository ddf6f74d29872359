"""What every auth route needs: the records service for this request, the caller and the account components."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from shared.accounts.auth_records import auth_collection
from shared.catalog.repository import StoredCollection
from shared.http.requests import request_context
from shared.records.service import RecordService
from shared.services import services


def record_service(request: Request, body: dict[str, Any] | None = None, *, signed_in: bool = True,
                   context: str = "default") -> RecordService:
    """The records service of this request; `signed_in=False` ignores any Authorization (sign-in endpoints)."""
    svc = services()
    auth = svc.auth(request) if signed_in else None
    ctx = request_context(request, auth, body, context=context)
    return RecordService(svc.collections, svc.records, ctx, query_budget=svc.config.query_budget)


def collection_of(service: RecordService, collection: str) -> StoredCollection:
    return auth_collection(service, collection)


def params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def no_content() -> Response:
    return Response(status_code=204)
