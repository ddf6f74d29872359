"""GET /api/collections/{collection}/auth-methods"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from functions.auth.common import collection_of, record_service
from shared.errors import BadRequestError
from shared.http.router import Router
from shared.tools.filter import FilterError, apply_fields, parse_fields

router = Router()


@router.get("/api/collections/{collection}/auth-methods")
def list_auth_methods(collection: str, request: Request) -> JSONResponse:
    from shared.accounts.auth_methods import auth_methods  # with the OAuth2 providers' catalogue

    stored = collection_of(record_service(request, signed_in=False), collection)
    body = auth_methods(stored)
    if fields := request.query_params.get("fields"):
        try:
            body = apply_fields(body, parse_fields(fields))
        except FilterError as exc:
            raise BadRequestError("Invalid fields parameter.", {"fields": {
                "code": "validation_invalid_fields", "message": str(exc)}}) from exc
    return JSONResponse(body)
