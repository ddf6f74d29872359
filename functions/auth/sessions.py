"""Sessions of an auth record: GET and DELETE records/{id}/sessions, DELETE records/{id}/sessions/{sessionId}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from functions.auth.common import collection_of, no_content, record_service
from shared.accounts.collaborators import accounts
from shared.accounts.sessions import list_sessions, revoke_all_sessions, revoke_session
from shared.http.router import Router

router = Router()
_PATH = "/api/collections/{collection}/records/{record_id}/sessions"


@router.get(_PATH)
def list_sessions_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    service = record_service(request)
    stored = collection_of(service, collection)
    return JSONResponse(list_sessions(accounts(), stored, record_id, service.request.auth,
                                      request.headers.get("authorization")))


@router.delete(_PATH)
def revoke_all_sessions_route(collection: str, record_id: str, request: Request) -> Response:
    service = record_service(request)
    revoke_all_sessions(service, accounts(), collection_of(service, collection), record_id, service.request.auth)
    return no_content()


@router.delete(_PATH + "/{session_id}")
def revoke_session_route(collection: str, record_id: str, session_id: str, request: Request) -> Response:
    service = record_service(request)
    revoke_session(accounts(), collection_of(service, collection), record_id, session_id, service.request.auth)
    return no_content()
