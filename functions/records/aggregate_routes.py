"""Aggregates API: group-bys, pivots and statistics over a collection's records (docs/api-views.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from shared.composition import composition
from shared.http.router import Router

router = Router()


@router.get("/api/collections/{collection}/aggregate")
def aggregate(collection: str, request: Request) -> Response:
    # The aggregates engine loads with the first aggregate request: a cold start serving records never pays it.
    from shared.aggregates.answers import answer
    from shared.aggregates.groups import get_group_store
    from shared.aggregates.versions import get_version_store

    scope = composition().scope(request, None)
    table = composition().config.records_table
    body, etag, outcome = answer(scope, collection, request.query_params, get_version_store(table),
                                 get_group_store(table))
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "X-Lb-Aggregate-Cache": outcome}
    if composition().config.debug_query:
        headers.update({"X-Lb-Plan": " | ".join(scope.meter.plans) or "none",
                        "X-Lb-Items-Read": str(scope.meter.items_read)})
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
