"""GET /api/health: PocketBase's health check, with its extra diagnostics for superusers."""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from shared.http.app import verified_caller
from shared.http.endpoints import LeanRouter
from shared.http.requests import client_ip

router = LeanRouter()

# PocketBase 0.40 looks for these, in this order, after its configured trusted-proxy headers (none here).
PROXY_HEADERS = ("CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For")


def expanded_ip(raw: str) -> str:
    """The address as Go's netip.Addr.StringExpanded writes it: IPv6 in full, IPv4 as is."""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "invalid IP"
    return address.exploded if address.version == 6 else str(address)


def possible_proxy_header(request: Request) -> str:
    """The first common reverse-proxy header the request carries, so the dashboard can warn; "" if none.

    API Gateway appends the address it saw to X-Forwarded-For on every request, and that address is the realIP
    already; only hops before API Gateway (a CDN, another proxy, or a client's own header) are worth a warning.
    """
    source = client_ip(request)
    for name in PROXY_HEADERS:
        value = request.headers.get(name, "")
        if name == "X-Forwarded-For":
            value = "" if [hop.strip() for hop in value.split(",")] == [source] else value
        if value:
            return name
    return ""


def _running_backup() -> dict[str, Any] | None:
    """The progress of the backup create or restore running now, None when none runs."""
    from shared import settings
    from shared.backups.context import BackupSettings
    from shared.backups.status import StatusStore

    config = settings.load(BackupSettings)
    job = StatusStore(config.system_table).running(config.backup_stalled_s)
    return job.progress() if job is not None else None


def _is_superuser(request: Request) -> bool:
    caller = verified_caller(request)  # None without the signing key: no superuser can be recognised
    return caller is not None and bool(caller.is_superuser)


@router.api_route("/api/health", methods=["GET", "HEAD"])
async def health(request: Request) -> JSONResponse:
    data: dict[str, Any] = {}
    # Only superusers learn the server's view of their address and proxies, as in PocketBase.
    if _is_superuser(request):
        running = _running_backup()
        data = {
            "canBackup": running is None,
            "realIP": expanded_ip(client_ip(request)),
            "possibleProxyHeader": possible_proxy_header(request),
        }
        if running is not None:
            data["backup"] = running  # additive: what runs and how far it is, while a create or restore runs
    return JSONResponse({"message": "API is healthy.", "code": 200, "data": data})
