"""TOTP second factors (Lambdabase): records/{id}/totp (status, enroll, confirm, disable, devices), auth-with-totp."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from functions.auth.common import collection_of, no_content, params, record_service
from shared.accounts.collaborators import accounts
from shared.http.body import read_body
from shared.http.router import Router

router = Router()
_PATH = "/api/collections/{collection}/records/{record_id}/totp"


@router.get(_PATH)
def status_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.management import totp_status

    service = record_service(request)
    return JSONResponse(totp_status(service, totp_service(), collection_of(service, collection), record_id))


@router.post(_PATH + "/enroll")
def enroll_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.management import totp_enroll

    service = record_service(request)
    return JSONResponse(totp_enroll(service, totp_service(), collection_of(service, collection), record_id))


@router.post(_PATH + "/confirm")
async def confirm_route(collection: str, record_id: str, request: Request) -> JSONResponse:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.management import totp_confirm

    body = await read_body(request)
    service = record_service(request, body)
    return JSONResponse(totp_confirm(service, totp_service(), collection_of(service, collection), record_id, body))


@router.post(_PATH + "/disable")
async def disable_route(collection: str, record_id: str, request: Request) -> Response:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.management import totp_disable

    body = await read_body(request)
    service = record_service(request, body)
    totp_disable(service, totp_service(), collection_of(service, collection), record_id, body)
    return no_content()


@router.delete(_PATH + "/devices")
def forget_devices_route(collection: str, record_id: str, request: Request) -> Response:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.management import totp_forget_devices

    service = record_service(request)
    totp_forget_devices(service, totp_service(), collection_of(service, collection), record_id)
    return no_content()


@router.post("/api/collections/{collection}/auth-with-totp")
async def auth_with_totp_route(collection: str, request: Request) -> JSONResponse:
    from shared.accounts.totp.composition import totp_service
    from shared.accounts.totp.signin import auth_with_totp

    body = await read_body(request)
    service = record_service(request, body, signed_in=False, context="totp")
    stored = collection_of(service, collection)
    return JSONResponse(auth_with_totp(service, accounts(), totp_service(), stored, body, params(request)))
