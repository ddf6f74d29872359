"""Request logs API (superusers only): list, view, hourly stats, and truncate, as PocketBase's /api/logs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.app_settings import provider
from shared.errors import NotFoundError
from shared.http.access import require_superuser
from shared.http.router import Router
from shared.logs.query import LogsView, list_logs, logs_stats
from shared.logs.repository import utc_now_ms

router = Router()


def _view(request: Request) -> LogsView:
    """The logs as this superuser may read them now; a guest gets 401, any other auth record 403."""
    require_superuser(request)
    from shared.logs.dynamo_repository import log_repository

    return LogsView(log_repository(), provider.current().logs.max_days, utc_now_ms())


@router.get("/api/logs")
def list_request_logs(request: Request) -> JSONResponse:
    return JSONResponse(list_logs(_view(request), request.query_params))


@router.delete("/api/logs")
def truncate_request_logs(request: Request) -> Response:
    view = _view(request)
    view.repository.truncate(view.now_ms + 1)
    return Response(status_code=204)


@router.get("/api/logs/stats")
def request_logs_stats(request: Request) -> JSONResponse:
    return JSONResponse(logs_stats(_view(request), request.query_params))


@router.get("/api/logs/{log_id}")
def view_request_log(log_id: str, request: Request) -> JSONResponse:
    view = _view(request)
    entry = view.repository.get(log_id)
    if entry is None or not view.visible(entry):
        raise NotFoundError()
    return JSONResponse(entry.to_api_json())
