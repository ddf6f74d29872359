"""Audit log API (superusers only): `GET /api/audit` and `GET /api/audit/{id}`; append-only, so nothing else."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.app_settings import provider
from shared.audit.query import AuditView, list_audit
from shared.errors import NotFoundError
from shared.http.access import require_superuser
from shared.http.router import Router

router = Router()


def _view(request: Request) -> AuditView:
    """The log as this superuser may read it now; a guest gets 401, any other auth record 403."""
    require_superuser(request)
    from shared.audit.dynamo_repository import audit_repository

    return AuditView(audit_repository(), provider.current().audit.retention_days, int(time.time() * 1000))


@router.get("/api/audit")
def list_audit_entries(request: Request) -> JSONResponse:
    return JSONResponse(list_audit(_view(request), request.query_params))


@router.get("/api/audit/{audit_id}")
def view_audit_entry(audit_id: str, request: Request) -> JSONResponse:
    view = _view(request)
    entry = view.repository.get(audit_id)
    # expired by retention but not yet swept by TTL (DynamoDB deletes within days): already gone to readers
    if entry is None or entry.created_ms < view.start_ms:
        raise NotFoundError()
    return JSONResponse(entry.to_api_json())
