"""Aggregates API: group-bys, pivots and statistics over a collection's records (docs/api-views.md)."""

from __future__ import annotations

import hashlib
import json

from fastapi import Request, Response

from shared.aggregates.engine import Aggregator
from shared.composition import composition
from shared.http.endpoints import LeanRouter

router = LeanRouter()


@router.get("/api/collections/{collection}/aggregate")
def aggregate(collection: str, request: Request) -> Response:
    scope = composition().scope(request, None)
    result = Aggregator(scope).answer(collection, request.query_params)
    body = json.dumps(result, separators=(",", ":"), sort_keys=True)
    # the ETag is the answer's digest: the same answer to the same caller is a 304, whatever changed unseen
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if composition().config.debug_query:
        headers.update({"X-Lb-Plan": " | ".join(scope.meter.plans) or "none",
                        "X-Lb-Items-Read": str(scope.meter.items_read)})
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
