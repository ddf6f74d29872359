"""GET /api/files/{collection}/{recordId}/{filename} and POST /api/files/token, as in PocketBase 0.40.6."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared import settings
from shared.collections.model import Collection
from shared.composition import composition
from shared.errors import UnauthorizedError
from shared.files.serving import FileRequest, FileServer, FilesSettings
from shared.files.storage import get_file_storage
from shared.files.tokens import file_token_owner, issue_file_token
from shared.http.requests import client_ip, request_context
from shared.http.router import Router
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

router = Router()

# The `@request.context` a view rule sees when it guards a protected file.
PROTECTED_FILE_CONTEXT = "protectedFile"


@lru_cache(maxsize=1)
def _server() -> FileServer:
    config = settings.load(FilesSettings)
    data = composition()
    storage = get_file_storage(config.files_bucket, config.s3_public_endpoint)
    return FileServer(config, storage, data.collections, data.records)


def _ip_allowed(ip: str, allowed: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in allowed)


def _token_owner(request: Request) -> AuthState | None:
    from shared.app_settings import provider

    owner = file_token_owner(composition().authenticator, request.query_params.get("token", ""))
    allowed = provider.current().superuser_ips
    # As PocketBase: a superuser's file token from outside superuserIPs counts as no token.
    if owner is not None and owner.is_superuser and allowed and not _ip_allowed(client_ip(request), allowed):
        return None
    return owner


@router.api_route("/api/files/{collection}/{record_id}/{filename}", methods=["GET", "HEAD"])
def download(request: Request, collection: str, record_id: str, filename: str) -> Response:
    def may_view(target: Collection, record: StoredRecord) -> bool:
        # The view rule is evaluated for the token's owner, never for the Authorization header's caller.
        context = request_context(request, _token_owner(request), context=PROTECTED_FILE_CONTEXT)
        data = composition()
        scope = RecordScope(data.collections, data.records, context, data.hooks, data.config.query_budget)
        return scope.rules.can_view(target, record)

    served = _server().serve(FileRequest(
        collection=collection, record_id=record_id, filename=filename,
        thumb=request.query_params.get("thumb", ""), download=request.query_params.get("download", ""),
        if_none_match=request.headers.get("if-none-match", ""), range=request.headers.get("range", "")), may_view)
    if request.method == "HEAD" and served.status in (200, 206):
        # The headers of the GET, its length included, and no body (as Go's http.ServeContent).
        headers = {**served.headers, "Content-Length": str(len(served.body))}
        return Response(b"", status_code=served.status, headers=headers)
    return Response(served.body, status_code=served.status, headers=served.headers)


@router.post("/api/files/token")
def file_token(request: Request) -> JSONResponse:
    """A short-lived token for protected files (and backup downloads), for any auth record."""
    caller = composition().caller(request)
    if caller is None:
        raise UnauthorizedError()
    return JSONResponse({"token": issue_file_token(composition().authenticator, caller)})
