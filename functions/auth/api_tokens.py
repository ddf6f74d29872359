"""API tokens of an auth record: GET, POST and DELETE records/{id}/api-tokens, DELETE .../api-tokens/{tokenId}
and POST .../api-tokens/{tokenId}/rotate (docs/api-auth.md, "API tokens")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from functions.auth.common import collection_of, no_content, record_service
from shared.accounts.api_tokens import create_token, list_tokens, revoke_record_tokens, revoke_token, rotate_token
from shared.accounts.collaborators import accounts
from shared.auth.api_tokens_repository import ApiTokenRepository, get_api_token_repository
from shared.http.body import read_body
from shared.http.router import Router

router = Router()
_PATH = "/api/collections/{collection}/records/{record_id}/api-tokens"


def _repository() -> ApiTokenRepository:
    return get_api_token_repository(accounts().config.system_table)


@router.get(_PATH)
def list_tokens_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    service = record_service(request)
    return JSONResponse(list_tokens(service, _repository(), collection_of(service, collection), record_id))


@router.post(_PATH)
async def create_token_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    body = await read_body(request)
    service = record_service(request)
    return JSONResponse(create_token(service, _repository(), collection_of(service, collection), record_id, body))


@router.delete(_PATH)
def revoke_all_tokens_route(collection: str, record_id: str, request: Request) -> Response:
    service = record_service(request)
    revoke_record_tokens(service, _repository(), collection_of(service, collection), record_id)
    return no_content()


@router.delete(_PATH + "/{token_id}")
def revoke_token_route(collection: str, record_id: str, token_id: str, request: Request) -> Response:
    service = record_service(request)
    revoke_token(service, _repository(), collection_of(service, collection), record_id, token_id)
    return no_content()


@router.post(_PATH + "/{token_id}/rotate")
def rotate_token_route(collection: str, record_id: str, token_id: str, request: Request) -> JSONResponse:
    service = record_service(request)
    return JSONResponse(rotate_token(service, _repository(), collection_of(service, collection), record_id,
                                     token_id))
