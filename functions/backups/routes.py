"""Backups API (superusers only), with PocketBase 0.40's statuses and bodies (file tokens: functions/files)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from shared.app_settings import provider
from shared.backups.service import BackupsService
from shared.composition import composition
from shared.errors import BadRequestError, ForbiddenError, UnauthorizedError
from shared.http.requests import client_ip, is_ip_in_list
from shared.http.router import Router

router = Router()

LOAD_ERROR = "An error occurred while loading the submitted data."
DOWNLOAD_FORBIDDEN = "Insufficient permissions to access the resource."


def _superuser(request: Request) -> None:
    caller = composition().caller(request)
    if caller is None:
        raise UnauthorizedError()
    if not caller.is_superuser:
        raise ForbiddenError()  # PocketBase's generic 403 for any other auth record
    if caller.grant is not None and not caller.grant.allows_admin(request.method):
        raise ForbiddenError()  # a superuser's API token reaches backups only when scoped `*:*`


def _service() -> BackupsService:
    from shared.backups.context import get_backup_context

    return BackupsService(get_backup_context())


@router.get("/api/backups")
def list_backups(request: Request) -> JSONResponse:
    _superuser(request)
    return JSONResponse(_service().list())


@router.post("/api/backups")
async def create_backup(request: Request) -> Response:
    _superuser(request)
    service = _service()
    from shared.app_settings import provider

    body: Any = getattr(request.state, "json_body", None)
    if body is None and (await request.body()).strip():
        raise BadRequestError(LOAD_ERROR)
    body = body or {}
    name = body.get("name", "") if isinstance(body, dict) else None
    if not isinstance(name, str):
        raise BadRequestError(LOAD_ERROR)
    service.create(name, provider.current().meta.app_name)
    return Response(status_code=204)


@router.post("/api/backups/upload")
async def upload_backup(request: Request) -> Response:
    _superuser(request)
    filename, data = "", None
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str):
            filename, data = upload.filename or "", await upload.read()
    _service().upload(filename, data)
    return Response(status_code=204)


def _file_token_superuser(token: str) -> bool:
    """Whether `token` is a valid file token of a superuser (the only callers who may download backups)."""
    from shared.files.tokens import file_token_owner

    owner = file_token_owner(composition().authenticator, token)
    # a file token of a superuser's API token downloads backups only when that token is scoped `*:*`
    return owner is not None and owner.is_superuser and (owner.grant is None or owner.grant.allows_admin("GET"))


@router.get("/api/backups/{key}")
def download_backup(request: Request, key: str) -> Response:
    if not _file_token_superuser(request.query_params.get("token", "")):
        raise ForbiddenError(DOWNLOAD_FORBIDDEN)
    allowed = provider.current().superuser_ips  # a file token is a superuser's too, refused as PocketBase does
    if allowed and not is_ip_in_list(allowed, client_ip(request)):
        raise ForbiddenError(DOWNLOAD_FORBIDDEN)
    download = _service().download(key)
    if download.redirect:
        return RedirectResponse(download.redirect, status_code=302)
    return Response(download.body or b"", media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{key}"',
        "Content-Security-Policy": "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"})


@router.post("/api/backups/{key}/restore")
def restore_backup(request: Request, key: str) -> Response:
    _superuser(request)
    _service().restore(key)
    return Response(status_code=204)


@router.delete("/api/backups/{key}")
def delete_backup(request: Request, key: str) -> Response:
    _superuser(request)
    _service().delete(key)
    return Response(status_code=204)

