"""Saved views API: reading a collection's records through one of its views (docs/api-views.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.composition import composition
from shared.http.router import Router
from shared.records.scope import RecordScope

router = Router()


def _debug_headers(scope: RecordScope) -> dict[str, str]:
    """Every list the read made, as a list reports its plan (`LB_DEBUG_QUERY`): one plan per kanban stack."""
    if not composition().config.debug_query:
        return {}
    return {"X-Lb-Plan": " | ".join(scope.meter.plans) or "none",
            "X-Lb-Items-Read": str(scope.meter.items_read), "X-Lb-Read-Requests": str(scope.meter.requests)}


@router.get("/api/collections/{collection}/views/{view}/records")
def read_view(collection: str, view: str, request: Request) -> JSONResponse:
    # The saved views' reader loads with the first read through a view: a cold start serving records never pays it.
    from shared.saved_views.reader import SavedViewReader

    scope = composition().scope(request, None)
    result = SavedViewReader(scope).read(collection, view, request.query_params)
    return JSONResponse(result, headers=_debug_headers(scope))
