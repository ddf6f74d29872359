"""GET /api/health: PocketBase's health check, with its extra diagnostics for superusers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.app_settings import provider
from shared.app_settings.model import TrustedProxySettings
from shared.errors import UnauthorizedError
from shared.http.app import verified_caller
from shared.http.requests import client_ip, expanded_ip, remote_ip
from shared.http.router import Router

router = Router()

# PocketBase 0.40 looks for these common reverse-proxy headers, in this order, after its trusted-proxy headers.
PROXY_HEADERS = ("CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For")


def possible_proxy_header(request: Request, trusted: TrustedProxySettings) -> str:
    """The first header, of the trusted ones (named as the operator wrote them) then the common ones, whose first
    value is not empty, so the dashboard can warn; "" if none.

    API Gateway appends the address it saw to X-Forwarded-For on every request, and that address is the remote
    IP already: an X-Forwarded-For holding only that hop is no proxy header the client or a proxy sent, trusted
    or not, so a request straight to API Gateway reports "" as one straight to PocketBase does.
    """
    source = remote_ip(request.scope)
    for name in (*trusted.headers, *PROXY_HEADERS):
        value = request.headers.get(name, "")
        if name.lower() == "x-forwarded-for" and [expanded_ip(hop) for hop in value.split(",")] == [source]:
            continue
        if value:
            return name
    return ""


def _backup_jobs() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The progress of the backup create or restore running now, and the outcome of the last finished one."""
    from shared import settings
    from shared.backups.context import BackupSettings
    from shared.backups.status import StatusStore

    config = settings.load(BackupSettings)
    store = StatusStore(config.system_table)
    job, last = store.running(config.backup_stalled_s), store.last()
    return (job.progress() if job is not None else None), (last.outcome() if last is not None else None)


def _is_superuser(request: Request) -> bool:
    try:
        caller = verified_caller(request)  # None without the signing key: no superuser can be recognised
    except UnauthorizedError:
        # health answers anyone, as PocketBase's: a bad API token is no caller here, as a bad JWT is not
        return False
    return caller is not None and bool(caller.is_superuser)


@router.api_route("/api/health", methods=["GET", "HEAD"])
async def health(request: Request) -> JSONResponse:
    data: dict[str, Any] = {}
    # Only superusers learn the server's view of their address and proxies, as in PocketBase.
    if _is_superuser(request):
        running, last = _backup_jobs()
        data = {
            "canBackup": running is None,
            "realIP": expanded_ip(client_ip(request)),
            "possibleProxyHeader": possible_proxy_header(request, provider.current().trusted_proxy),
        }
        if running is not None:
            data["backup"] = running  # additive: what runs and how far it is, while a create or restore runs
        if last is not None:
            data["lastBackup"] = last  # additive: how the last finished create or restore ended (its error)
    return JSONResponse({"message": "API is healthy.", "code": 200, "data": data})
