"""Auth API of auth collections: auth-with-password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shared.accounts.signin import auth_collection, auth_response, password_sign_in
from shared.http.body import read_body
from shared.http.requests import request_context
from shared.records.service import RecordService
from shared.services import services

router = APIRouter()


@router.post("/api/collections/{collection}/auth-with-password")
async def auth_with_password(collection: str, request: Request) -> JSONResponse:
    svc = services()
    body = await read_body(request)
    ctx = request_context(request, None, body, context="password")
    service = RecordService(svc.collections, svc.records, ctx, query_budget=svc.config.query_budget)
    stored = auth_collection(service, collection)
    record = password_sign_in(service, stored, str(body.get("identity") or ""), str(body.get("password") or ""),
                              str(body.get("identityField") or ""))
    return JSONResponse(auth_response(service, svc.tokens, stored, record, dict(request.query_params)))
